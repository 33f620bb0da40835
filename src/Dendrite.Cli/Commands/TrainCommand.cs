using System.CommandLine;
using Dendrite.Optim;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite train</c>: trains a classifier with cross-entropy through <see cref="Training.Trainer.Fit"/>,
/// writing into <c>--out</c> the model file, a checkpoint after every epoch (and on Ctrl+C, after the
/// current step), <c>history.csv</c> and loss and accuracy curves as SVG. <c>--epochs</c> is the total: a
/// resumed run continues up to it, with the model, data and optimizer settings stored in the checkpoint,
/// and ends with bit-identical weights to an uninterrupted run. This file holds the options;
/// <see cref="TrainingRun"/> the run.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model spec (.json) or built-in name: lenet5, lenet1998, perceptron, mlp:256,128[:tanh]" };
        var data = new Option<string>("--data", "-d") { Description = "Directory with MNIST IDX files, or a CSV file (with --target)" };
        var target = new Option<string>("--target") { Description = "CSV column holding the class" };
        var epochs = new Option<int?>("--epochs") { Description = "Total epochs (a resumed run continues up to this count; default: at least 10 and at least 1,000 steps, at most 500)" };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step", DefaultValueFactory = _ => TrainOptions.DefaultBatchSize };
        var optimizer = new Option<string>("--optimizer") { Description = OptimizerList(), DefaultValueFactory = _ => TrainOptions.DefaultOptimizer };
        optimizer.AcceptOnlyFromAmong([.. Optimizers.Names]);
        var lr = new Option<float?>("--lr") { Description = $"Learning rate (default: {Optimizers.DefaultLearningRates()})" };
        var weightDecay = new Option<float>("--weight-decay") { Description = "L2 weight decay (decoupled for adamw)", DefaultValueFactory = _ => 0f };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation, shuffling and the validation split", DefaultValueFactory = _ => 0UL };
        var valSplit = new Option<double>("--val-split") { Description = "Fraction of the training data held out for validation (0 to 0.9)", DefaultValueFactory = _ => 0.0 };
        var testSplit = new Option<double>("--test-split") { Description = "CSV: fraction of the rows held out as the test set, stratified by class and drawn with --seed (0 to 0.9)", DefaultValueFactory = _ => 0.0 };
        var testFile = new Option<string>("--test") { Description = "CSV: a test set in its own file (same columns)" };
        var noStandardize = new Option<bool>("--no-standardize") { Description = "Feed the features (CSV) or pixels (images) as they are, without standardising them with the training data's mean and std" };
        var impute = new Option<string>("--impute") { Description = "CSV: fill missing cells with the column's mean or median (text columns: the most frequent category); without it a missing cell is an error", DefaultValueFactory = _ => "none" };
        impute.AcceptOnlyFromAmong("none", "mean", "median");
        var schedule = new Option<string>("--lr-schedule") { Description = "Learning-rate schedule, stepped after every epoch: cosine (down to 0 at the last epoch), step (× --lr-gamma every --lr-step epochs), plateau (× --lr-gamma after --lr-step epochs without a better validation loss) or none", DefaultValueFactory = _ => TrainOptions.DefaultSchedule };
        schedule.AcceptOnlyFromAmong(TrainOptions.Schedules);
        var lrStep = new Option<int?>("--lr-step") { Description = "cosine: the epochs it anneals over (default --epochs); step: epochs between cuts (default a third of the epochs); plateau: epochs without improvement before a cut (default 5)" };
        var lrGamma = new Option<float>("--lr-gamma") { Description = "step and plateau: the factor each cut multiplies the rate by", DefaultValueFactory = _ => 0.1f };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "Stop when the validation loss has not improved for PATIENCE epochs (default 10) and keep the best epoch's weights; holds out 10% for validation unless --val-split says otherwise", Arity = ArgumentArity.ZeroOrOne, HelpName = "PATIENCE" };
        earlyStopping.DefaultValueFactory = _ => null;
        earlyStopping.CustomParser = r => r.Tokens.Count == 0 ? TrainOptions.DefaultPatience : int.TryParse(r.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out int p) ? p
            : Fail(r, $"--early-stopping takes a whole number of epochs, got '{r.Tokens[0].Value}'");
        var onNan = new Option<string>("--on-nan") { Description = "When a batch's loss is NaN or infinite: stop (naming the step and the first layer whose output went non-finite; the last epoch's checkpoint is kept) or skip that batch's update and count it", DefaultValueFactory = _ => "stop" };
        onNan.AcceptOnlyFromAmong("stop", "skip");
        var output = new Option<string>("--out", "-o") { Description = "Output directory (default runs/YYYYMMDD-HHMMSS, or the checkpoint's directory when resuming)" };
        var resume = new Option<string>("--resume") { Description = "Continue from this checkpoint (model, data and optimizer settings come from it)" };
        var distributed = new Option<bool>("--distributed") { Description = "Train as one rank of an MPI job (mpirun -np N dendrite train ...; detected when mpirun started it)" };

        var command = new Command("train", "Train a model on MNIST-format data or a CSV; writes the model file, checkpoints, history and curves")
        {
            model, data, target, epochs, batchSize, optimizer, lr, weightDecay, seed, valSplit, testSplit, testFile, noStandardize, impute,
            schedule, lrStep, lrGamma, earlyStopping, onNan, output, resume, distributed,
        };
        command.SetAction(parse =>
        {
            var options = new TrainOptions
            {
                Model = parse.GetValue(model),
                Data = parse.GetValue(data),
                Target = parse.GetValue(target),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay),
                Seed = parse.GetValue(seed),
                ValidationSplit = parse.GetValue(valSplit),
                TestSplit = parse.GetValue(testSplit),
                TestFile = parse.GetValue(testFile),
                Standardize = !parse.GetValue(noStandardize),
                Impute = parse.GetValue(impute)!,
                Schedule = parse.GetValue(schedule)!,
                ScheduleStep = parse.GetValue(lrStep),
                ScheduleGamma = parse.GetValue(lrGamma),
                EarlyStopping = parse.GetValue(earlyStopping),
                OnNan = parse.GetValue(onNan)!,
                // The options typed on the command line, to hold against a resumed checkpoint's.
                Given = command.Options.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToHashSet(),
                Out = parse.GetValue(output),
                Resume = parse.GetValue(resume),
            };
            // Under mpirun, rank 0 alone writes files and progress.
            using var run = DistributedRun.Join(parse.GetValue(distributed), context.Error);
            return new TrainingRun(run is { Leader: false } ? context.Quiet() : context, options, run).Run();
        });
        return command;
    }

    private static int? Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
    }

    /// <summary>"sgd, momentum (SGD with momentum 0.9), adam, adamw, rmsprop or adagrad".</summary>
    private static string OptimizerList()
    {
        var names = Optimizers.Names.Select(n => Optimizers.Describe(n) is { } note ? $"{n} ({note})" : n).ToList();
        return $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }
}
