"""fit-glib's learning-rate schedules against torch.optim.lr_scheduler, step by step."""

import unittest
import warnings

from fit_testing import Fit, have_torch, main

if have_torch():
    import torch

BASE_LR = 0.1


def torch_rates(make_scheduler, n_steps, base_lr=BASE_LR):
    """The rate torch uses for steps 0 … n_steps-1."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = make_scheduler(opt)
    rates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_steps):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return rates


@unittest.skipUnless(have_torch(), "needs torch")
class SchedulesVsTorch(unittest.TestCase):

    def check(self, schedule, expected, base_lr=BASE_LR, offset=0, rtol=1e-7):
        for i, want in enumerate(expected):
            got = schedule.get_learning_rate(base_lr, i + offset)
            self.assertLessEqual(abs(got - want), rtol * abs(want) + 1e-15,
                                 f"step {i + offset}: {got} != {want}")

    def test_step(self):
        sched = Fit.StepLR.new(3, 0.5)
        self.check(sched, torch_rates(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5), 12))

    def test_multi_step(self):
        sched = Fit.MultiStepLR.new([9, 2, 5, 5], 0.3)
        self.assertEqual(list(sched.get_milestones()), [2, 5, 5, 9])
        self.check(sched, torch_rates(
            lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [9, 2, 5, 5], 0.3), 12))

    def test_exponential(self):
        sched = Fit.ExponentialLR.new(0.9)
        self.check(sched, torch_rates(
            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9), 15))

    def test_cosine(self):
        sched = Fit.CosineLR.new(10, 0.01)
        self.check(sched, torch_rates(
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 11))
        self.assertEqual(sched.get_learning_rate(BASE_LR, 25), 0.01)

    def test_cosine_with_warmup(self):
        sched = Fit.CosineLR.new(16, 0.001)
        sched.props.warmup_steps = 4
        sched.props.warmup_start_factor = 0.2
        warm = torch_rates(lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=0.2, end_factor=1.0, total_iters=4), 4)
        cosine = torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
            o, T_max=12, eta_min=0.001), 13)
        self.check(sched, warm + cosine)

    def test_linear_warmup(self):
        sched = Fit.LinearWarmupLR.new(5, 0.25)
        sched.props.end_factor = 0.9
        self.check(sched, torch_rates(lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=0.25, end_factor=0.9, total_iters=5), 9))

    def test_one_cycle(self):
        for total, pct, div, final, three in ((20, 0.3, 25.0, 1e4, False),
                                              (37, 0.25, 10.0, 100.0, False),
                                              (30, 0.3, 25.0, 1e4, True)):
            sched = Fit.OneCycleLR.new(total)
            sched.props.pct_start = pct
            sched.props.div_factor = div
            sched.props.final_div_factor = final
            sched.props.three_phase = three
            expected = torch_rates(lambda o: torch.optim.lr_scheduler.OneCycleLR(
                o, max_lr=0.5, total_steps=total, pct_start=pct, div_factor=div,
                final_div_factor=final, three_phase=three, cycle_momentum=False), total)
            self.check(sched, expected, base_lr=0.5)


class ScheduleValidation(unittest.TestCase):

    def test_property_ranges(self):
        sched = Fit.OneCycleLR.new(10)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Out-of-range values are refused by the property's range and leave it as it was.
            try:
                sched.props.pct_start = 1.5
            except (TypeError, ValueError):
                pass
        self.assertAlmostEqual(sched.props.pct_start, 0.3)

    def test_subclass_in_python(self):
        class Halving(Fit.LrSchedule):
            def do_compute(self, base_lr, step):
                return base_lr / 2 ** step
        sched = Halving()
        self.assertEqual(sched.get_learning_rate(1.0, 3), 0.125)


if __name__ == "__main__":
    main()
