/* fashion-mnist.vala: train an MLP or a small CNN on Fashion-MNIST with the fit API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The same program as examples/c/fit-fashion-mnist.c (see there for the models and
 * settings). Built as examples/vala/fit-fashion-mnist-vala in the build folder; outside
 * it: valac --pkg fit-glib-1.0 --pkg gio-2.0 -X -lm fashion-mnist.vala
 */

const string DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist";

int epochs = 5;
int batch_size = 64;
string? model_name = null;
string? data_dir = null;
string? checkpoint_dir = null;
bool resume = false;
int limit = 0;
int test_limit = 0;
int threads = 0;
int patience = 3;
double learning_rate = 0;
string? lr_schedule = null;
int64 seed = 0;

const OptionEntry[] ENTRIES = {
    { "epochs", 'e', 0, OptionArg.INT, ref epochs, "Train for at most N epochs (default 5)", "N" },
    { "batch-size", 'b', 0, OptionArg.INT, ref batch_size, "Images per training batch (default 64)", "N" },
    { "model", 'm', 0, OptionArg.STRING, ref model_name, "mlp (784-512-256-10) or cnn (three 3×3 convolutions)", "NAME" },
    { "data-dir", 'd', 0, OptionArg.FILENAME, ref data_dir, "Folder with the Fashion-MNIST *-ubyte.gz files", "DIR" },
    { "checkpoint-dir", 'c', 0, OptionArg.FILENAME, ref checkpoint_dir, "Where checkpoints are written", "DIR" },
    { "resume", 'r', 0, OptionArg.NONE, ref resume, "Continue from the latest checkpoint in the checkpoint folder", null },
    { "limit", 'l', 0, OptionArg.INT, ref limit, "Use only the first N training images (default: all)", "N" },
    { "test-limit", 0, 0, OptionArg.INT, ref test_limit, "Validate on only the first N test images (default: all)", "N" },
    { "threads", 't', 0, OptionArg.INT, ref threads, "Worker threads (default: OMP_NUM_THREADS or all cores)", "N" },
    { "patience", 'p', 0, OptionArg.INT, ref patience, "Stop after N epochs without a better validation accuracy", "N" },
    { "learning-rate", 0, 0, OptionArg.DOUBLE, ref learning_rate, "SGD learning rate (default 0.05 for mlp, 0.1 for cnn)", "LR" },
    { "lr-schedule", 0, 0, OptionArg.STRING, ref lr_schedule, "cosine: decay the learning rate to 0 over the epochs (default); constant: keep it", "NAME" },
    { "seed", 's', 0, OptionArg.INT64, ref seed, "Seed for the initial weights and the shuffling", "N" },
    { null }
};

Fit.Module make_mlp (Fit.Rng rng) {
    return new Fit.Sequential.from_modules ({
        new Fit.Flatten (1, -1),
        new Fit.Linear (784, 512, true, rng), new Fit.ReLU (),
        new Fit.Linear (512, 256, true, rng), new Fit.ReLU (),
        new Fit.Linear (256, 10, true, rng)
    });
}

Fit.Module make_cnn (Fit.Rng rng) {
    return new Fit.Sequential.from_modules ({
        new Fit.Conv2d (1, 8, 3, 1, 0, rng), new Fit.ReLU (),
        new Fit.Conv2d (8, 16, 3, 1, 0, rng), new Fit.ReLU (),
        new Fit.Conv2d (16, 32, 3, 1, 0, rng), new Fit.ReLU (),
        new Fit.AdaptiveAvgPool2d (1, 1),
        new Fit.Flatten (1, -1),
        new Fit.Linear (32, 10, true, rng)
    });
}

Fit.Dataset load_split (string split, int n) throws Error {
    Fit.Dataset dataset = Fit.idx_dataset_new (
        Path.build_filename (data_dir, split + "-images-idx3-ubyte.gz"),
        Path.build_filename (data_dir, split + "-labels-idx1-ubyte.gz"), 1.0 / 255);
    if (n <= 0 || n >= dataset.get_n_items ())
        return dataset;
    var indices = new int64[n];
    for (int i = 0; i < n; i++)
        indices[i] = i;
    return new Fit.Subset (dataset, indices);
}

/* (x - 0.5) / 0.5 on [0, 1] pixels: inputs in [-1, 1], like the PyTorch baseline. */
Fit.DataLoader make_loader (Fit.Dataset dataset, uint size, bool shuffle, uint64 loader_seed) {
    var loader = new Fit.DataLoader (dataset, size);
    loader.set_transform (new Fit.Normalize ({ 0.5 }, { 0.5 }));
    loader.set_shuffle (shuffle);
    loader.set_seed (loader_seed);
    loader.set_n_workers (1);
    return loader;
}

/* Vala programs run in the C locale unless they call setlocale, so printf writes JSON numbers. */
string number (double v) {
    return v.is_finite () ? "%.6g".printf (v) : "null";
}

void summary (Fit.Estimator estimator, uint64 n_train, uint64 n_test, double accuracy,
              double seconds) {
    unowned Fit.History history = estimator.get_history ();
    var json = new StringBuilder ();
    uint n = history.get_n_items ();

    json.append_printf ("{\"program\": \"fit-fashion-mnist\", \"language\": \"vala\", "
                        + "\"model\": \"%s\", \"n_train\": %s, \"n_test\": %s, \"epochs\": [",
                        model_name, n_train.to_string (), n_test.to_string ());
    for (uint i = 0; i < n; i++) {
        var record = (Fit.HistoryRecord) history.get_item (i);
        json.append_printf ("%s{\"epoch\": %d", i > 0 ? ", " : "", record.get_epoch ());
        foreach (unowned string key in new string[] { "train_loss", "train_accuracy",
                                                      "val_loss", "val_accuracy" }) {
            double v;
            if (record.lookup (key, out v) && v.is_finite ())
                json.append_printf (", \"%s\": %s", key, number (v));
        }
        json.append_printf (", \"seconds\": %s}", "%.3f".printf (record.get_time ()));
    }
    json.append_printf ("], \"test_accuracy\": %s, \"seconds\": %s}",
                        number (accuracy), "%.3f".printf (seconds));
    print ("%s\n", json.str);
    print ("Test accuracy %.2f %% after %u epochs in %.1f s\n", 100 * accuracy, n, seconds);
}

int run () throws Error {
    foreach (unowned string name in new string[] { "train-images-idx3-ubyte.gz",
                                                   "train-labels-idx1-ubyte.gz",
                                                   "t10k-images-idx3-ubyte.gz",
                                                   "t10k-labels-idx1-ubyte.gz" }) {
        var path = Path.build_filename (data_dir, name);
        if (!FileUtils.test (path, FileTest.IS_REGULAR))
            throw new FileError.NOENT ("Fashion-MNIST was not found: %s does not exist. "
                                       + "Install it with 'sudo apt install dataset-fashion-mnist' "
                                       + "or pass --data-dir with the folder holding the four "
                                       + "*-ubyte.gz files.", path);
    }
    if (threads > 0)
        Fit.set_num_threads (threads);

    var train = load_split ("train", limit);
    var test = load_split ("t10k", test_limit);
    var train_loader = make_loader (train, batch_size, true, seed);
    var test_loader = make_loader (test, 1000, false, 0);

    var rng = new Fit.Rng (seed);
    var net = model_name == "mlp" ? make_mlp (rng) : make_cnn (rng);
    var lr = learning_rate > 0 ? learning_rate : (model_name == "mlp" ? 0.05 : 0.1);
    var params = net.get_parameters ();
    var optimizer = new Fit.SGD ((Fit.Tensor[]) params.data, lr, 0.9);
    var estimator = new Fit.Estimator (net, new Fit.CrossEntropyLoss (), optimizer);
    print ("Model %s (%s parameters), %s training and %s test images, batch %d, lr %g (%s), %u threads\n",
           model_name, net.count_parameters ().to_string (), train.get_n_items ().to_string (),
           test.get_n_items ().to_string (), batch_size, lr, lr_schedule, Fit.get_num_threads ());

    if (lr_schedule == "cosine") {
        /* Per batch over the whole run; see the C example for why. */
        var cosine = new Fit.CosineLR (epochs * (int64) train_loader.get_n_batches (), 0);
        estimator.add_handler (new Fit.LrSchedulerHandler (cosine, true));
    }

    var early_stopping = new Fit.EarlyStoppingHandler ("val_accuracy", 0, patience);
    early_stopping.restore_best_weights = true;
    /* One file per epoch (the last two kept) plus the best one; with resume, the handler
     * loads the latest at train-begin and the fit continues with the next batch. */
    var checkpoint = new Fit.CheckpointHandler (checkpoint_dir, model_name);
    checkpoint.monitor = "val_accuracy";
    checkpoint.max_to_keep = 2;
    checkpoint.resume = resume;
    estimator.add_handler (new Fit.ProgressHandler ());
    estimator.add_handler (early_stopping);
    estimator.add_handler (checkpoint);
    if (resume) {
        var latest = checkpoint.get_latest_path ();
        if (latest == null)
            throw new FileError.NOENT ("--resume: no checkpoint of model %s in %s",
                                       model_name, checkpoint_dir);
        print ("Resuming from %s\n", latest);
    }
    print ("Checkpoints go to %s\n", checkpoint_dir);

    var timer = new Timer ();
    estimator.fit (train_loader, test_loader, epochs);
    /* Early stopping put back the best epoch's weights: measure those. */
    var result = estimator.evaluate (test_loader);
    summary (estimator, train.get_n_items (), test.get_n_items (),
             result.get_value ("val_accuracy"), timer.elapsed ());
    return 0;
}

int main (string[] args) {
    var context = new OptionContext (null);
    context.set_summary ("Trains a classifier of Fashion-MNIST clothing images with fit-glib's fit API.");
    context.add_main_entries (ENTRIES, null);
    try {
        context.parse (ref args);
    } catch (OptionError e) {
        printerr ("%s\n", e.message);
        return 2;
    }
    model_name = model_name ?? "mlp";
    data_dir = data_dir ?? DEFAULT_DATA_DIR;
    checkpoint_dir = checkpoint_dir ?? Path.build_filename (Environment.get_user_cache_dir (),
                                                            "fit-glib", "fashion-mnist");
    lr_schedule = lr_schedule ?? "cosine";
    if (lr_schedule != "cosine" && lr_schedule != "constant") {
        printerr ("--lr-schedule must be cosine or constant, not '%s'\n", lr_schedule);
        return 2;
    }
    if (model_name != "mlp" && model_name != "cnn") {
        printerr ("--model must be mlp or cnn, not '%s'\n", model_name);
        return 2;
    }
    try {
        return run ();
    } catch (Error e) {
        printerr ("fashion-mnist: %s\n", e.message);
        return 1;
    }
}
