using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Dendrite.Benchmarks;

/// <summary>A benchmark parameter that knows how many floating-point operations one invocation performs.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations per invocation (2·m·n·k for a GEMM).</summary>
    double Flops { get; }
}

/// <summary>
/// Adds a "GFLOP/s" column: the flop count of the case's <see cref="IFlopCount"/> parameter divided by the
/// mean time per invocation. Cases without such a parameter show "-".
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations (2·m·n·k for a GEMM) per mean invocation time, in 10^9/s";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var flops = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IFlopCount>().FirstOrDefault();
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (flops is null || mean is not > 0) return "-";
        // Mean is in nanoseconds, so flops per nanosecond is already 10^9 flops per second.
        return (flops.Flops / mean.Value).ToString("N2", style.CultureInfo);
    }

    public override string ToString() => ColumnName;
}

/// <summary>
/// Configuration for the GEMM benchmarks: the default columns plus <see cref="GflopsColumn"/>, and a parameter
/// column wide enough for a whole <see cref="GemmShape"/> (the default 20 characters would cut off the op).
/// </summary>
public class GemmConfig : ManualConfig
{
    public GemmConfig()
    {
        AddColumn(new GflopsColumn());
        SummaryStyle = SummaryStyle.Default.WithMaxParameterColumnWidth(40);
    }
}
