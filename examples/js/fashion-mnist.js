// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Train an MLP or a small CNN on Fashion-MNIST with fit-glib's fit API, from GJS.
// The same program as examples/c/fit-fashion-mnist.c (see there for the models and
// settings). Run from a build tree with `meson devenv -C _build`, or after installing:
//
//   gjs -m examples/js/fashion-mnist.js --epochs 5 --model mlp

import Fit from 'gi://Fit?version=1.0';
import GLib from 'gi://GLib';
import System from 'system';

const DEFAULT_DATA_DIR = '/usr/share/datasets/fashion-mnist';
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

const OPTIONS = {
    'epochs': ['int', 5, 'train for at most N epochs'],
    'batch-size': ['int', 64, 'images per training batch'],
    'model': ['string', 'mlp', 'mlp (784-512-256-10) or cnn (three 3x3 convolutions)'],
    'data-dir': ['string', DEFAULT_DATA_DIR, 'folder with the Fashion-MNIST *-ubyte.gz files'],
    'checkpoint-dir': ['string', GLib.build_filenamev([GLib.get_user_cache_dir(), 'fit-glib',
        'fashion-mnist']), 'where checkpoints are written'],
    'resume': ['flag', false, 'continue from the latest checkpoint in the checkpoint folder'],
    'limit': ['int', 0, 'use only the first N training images (0: all)'],
    'test-limit': ['int', 0, 'validate on only the first N test images (0: all)'],
    'threads': ['int', 0, 'worker threads (0: OMP_NUM_THREADS or all cores)'],
    'patience': ['int', 3, 'stop after N epochs without a better validation accuracy'],
    'learning-rate': ['float', 0, 'SGD learning rate (default 0.05 for mlp, 0.1 for cnn)'],
    'lr-schedule': ['string', 'cosine',
        'cosine: decay the learning rate to 0 over the epochs; constant: keep it'],
    'seed': ['int', 0, 'seed for the initial weights and the shuffling'],
};

function fail(message, status = 1) {
    printerr(`fashion-mnist.js: ${message}`);
    System.exit(status);
}

function parseArgs(argv) {
    const opts = {};
    for (const [name, [, value]] of Object.entries(OPTIONS))
        opts[name] = value;
    for (let i = 0; i < argv.length; i++) {
        let [name, value] = argv[i].replace(/^--/, '').split('=', 2);
        if (name === 'help' || name === 'h') {
            print('Usage: gjs -m fashion-mnist.js [OPTION…]\n\nTrains a classifier of ' +
                  "Fashion-MNIST clothing images with fit-glib's fit API.\n");
            for (const [n, [kind, , help]] of Object.entries(OPTIONS))
                print(`  --${n}${kind === 'flag' ? '' : '=' + kind.toUpperCase()}  ${help}`);
            System.exit(0);
        }
        const spec = OPTIONS[name];
        if (!argv[i].startsWith('--') || spec === undefined)
            fail(`unknown option ${argv[i]} (see --help)`, 2);
        if (spec[0] === 'flag') {
            opts[name] = true;
            continue;
        }
        if (value === undefined)
            value = argv[++i];
        if (value === undefined)
            fail(`--${name} needs a value`, 2);
        opts[name] = spec[0] === 'string' ? value : Number(value);
        if (spec[0] === 'int' && !Number.isInteger(opts[name]))
            fail(`--${name} needs an integer, not “${value}”`, 2);
    }
    if (opts.model !== 'mlp' && opts.model !== 'cnn')
        fail(`--model must be mlp or cnn, not “${opts.model}”`, 2);
    if (opts['lr-schedule'] !== 'cosine' && opts['lr-schedule'] !== 'constant')
        fail(`--lr-schedule must be cosine or constant, not “${opts['lr-schedule']}”`, 2);
    return opts;
}

function makeMlp(rng) {
    return Fit.Sequential.new_from_modules([
        Fit.Flatten.new(1, -1),
        Fit.Linear.new(784, 512, true, rng), Fit.ReLU.new(),
        Fit.Linear.new(512, 256, true, rng), Fit.ReLU.new(),
        Fit.Linear.new(256, 10, true, rng),
    ]);
}

function makeCnn(rng) {
    return Fit.Sequential.new_from_modules([
        Fit.Conv2d.new(1, 8, 3, 1, 0, rng), Fit.ReLU.new(),
        Fit.Conv2d.new(8, 16, 3, 1, 0, rng), Fit.ReLU.new(),
        Fit.Conv2d.new(16, 32, 3, 1, 0, rng), Fit.ReLU.new(),
        Fit.AdaptiveAvgPool2d.new(1, 1),
        Fit.Flatten.new(1, -1),
        Fit.Linear.new(32, 10, true, rng),
    ]);
}

function loadSplit(dataDir, split, limit) {
    let dataset = Fit.idx_dataset_new(
        GLib.build_filenamev([dataDir, `${split}-images-idx3-ubyte.gz`]),
        GLib.build_filenamev([dataDir, `${split}-labels-idx1-ubyte.gz`]), 1 / 255, null);
    if (limit > 0 && limit < dataset.get_n_items())
        dataset = Fit.Subset.new(dataset, Array.from({length: limit}, (_, i) => i));
    return dataset;
}

// (x - 0.5) / 0.5 on [0, 1] pixels: inputs in [-1, 1], like the PyTorch baseline.
function makeLoader(dataset, batchSize, shuffle, seed) {
    const loader = Fit.DataLoader.new(dataset, batchSize);
    loader.set_transform(Fit.Normalize.new([0.5], [0.5]));
    loader.set_shuffle(shuffle);
    loader.set_seed(seed);
    loader.set_n_workers(1);
    return loader;
}

function summary(opts, estimator, nTrain, nTest, accuracy, seconds) {
    const history = estimator.get_history();
    const epochs = [];
    for (let i = 0; i < history.get_n_items(); i++) {
        const record = history.get_item(i);
        const entry = {epoch: record.get_epoch()};
        for (const key of ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy']) {
            const [found, value] = record.lookup(key);
            if (found)
                entry[key] = value;
        }
        entry.seconds = record.get_time();
        epochs.push(entry);
    }
    print(JSON.stringify({
        program: 'fit-fashion-mnist', language: 'js', model: opts.model,
        n_train: nTrain, n_test: nTest, epochs, test_accuracy: accuracy, seconds,
    }));
    print(`Test accuracy ${(100 * accuracy).toFixed(2)} % after ${epochs.length} epochs ` +
          `in ${seconds.toFixed(1)} s`);
}

function main(argv) {
    const opts = parseArgs(argv);
    for (const name of FILES) {
        const path = GLib.build_filenamev([opts['data-dir'], name]);
        if (!GLib.file_test(path, GLib.FileTest.IS_REGULAR)) {
            fail(`Fashion-MNIST was not found: ${path} does not exist. Install it with ` +
                 '“sudo apt install dataset-fashion-mnist” or pass --data-dir with the ' +
                 'folder holding the four *-ubyte.gz files.');
        }
    }
    if (opts.threads > 0)
        Fit.set_num_threads(opts.threads);

    const train = loadSplit(opts['data-dir'], 'train', opts.limit);
    const test = loadSplit(opts['data-dir'], 't10k', opts['test-limit']);
    const trainLoader = makeLoader(train, opts['batch-size'], true, opts.seed);
    const testLoader = makeLoader(test, 1000, false, 0);

    const rng = Fit.Rng.new(opts.seed);
    const net = opts.model === 'mlp' ? makeMlp(rng) : makeCnn(rng);
    const lr = opts['learning-rate'] || (opts.model === 'mlp' ? 0.05 : 0.1);
    const optimizer = Fit.SGD.new(net.get_parameters(), lr, 0.9);
    const estimator = Fit.Estimator.new(net, Fit.CrossEntropyLoss.new(), optimizer);
    print(`Model ${opts.model} (${net.count_parameters()} parameters), ` +
          `${train.get_n_items()} training and ${test.get_n_items()} test images, ` +
          `batch ${opts['batch-size']}, lr ${lr} (${opts['lr-schedule']}), ` +
          `${Fit.get_num_threads()} threads`);

    if (opts['lr-schedule'] === 'cosine') {
        // Per batch over the whole run; see the C example for why.
        const cosine = Fit.CosineLR.new(opts.epochs * trainLoader.get_n_batches(), 0);
        estimator.add_handler(Fit.LrSchedulerHandler.new(cosine, true));
    }

    const earlyStopping = Fit.EarlyStoppingHandler.new('val_accuracy', 0, opts.patience);
    earlyStopping.restore_best_weights = true;
    // One file per epoch (the last two kept) plus the best one; with resume, the handler
    // loads the latest at train-begin and the fit continues with the next batch.
    const checkpoint = Fit.CheckpointHandler.new(opts['checkpoint-dir'], opts.model);
    checkpoint.monitor = 'val_accuracy';
    checkpoint.max_to_keep = 2;
    checkpoint.resume = opts.resume;
    for (const handler of [Fit.ProgressHandler.new(), earlyStopping, checkpoint])
        estimator.add_handler(handler);
    if (opts.resume) {
        const latest = checkpoint.get_latest_path();
        if (latest === null) {
            fail(`--resume: no checkpoint of model ${opts.model} in ` +
                 `${opts['checkpoint-dir']}`);
        }
        print(`Resuming from ${latest}`);
    }
    print(`Checkpoints go to ${opts['checkpoint-dir']}`);

    const start = GLib.get_monotonic_time();
    estimator.fit(trainLoader, testLoader, opts.epochs, null);
    // Early stopping put back the best epoch's weights: measure those.
    const result = estimator.evaluate(testLoader, null);
    summary(opts, estimator, train.get_n_items(), test.get_n_items(),
        result.get_value('val_accuracy'), (GLib.get_monotonic_time() - start) / 1e6);
}

try {
    main(ARGV);
} catch (e) {
    fail(e instanceof GLib.Error ? e.message : `${e}\n${e.stack ?? ''}`);
}
