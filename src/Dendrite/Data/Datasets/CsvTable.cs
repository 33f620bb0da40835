using System.Text;

namespace Dendrite.Data.Datasets;

/// <summary>
/// A CSV file's cells as text: the header and the data rows, each with the line it starts on, read by the
/// same RFC 4180 rules as <see cref="CsvDataset"/>. It is what a <see cref="Preprocessing.Preprocessor"/>
/// fits on and transforms, since string columns and empty cells must reach it before they become numbers.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string name, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, IReadOnlyList<int> lines)
    {
        Name = name;
        Header = header;
        Rows = rows;
        Lines = lines;
    }

    /// <summary>The file (or the name given to <see cref="Parse"/>), for error messages.</summary>
    public string Name { get; }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The data rows, each as many cells as the header.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>The line of the file each row starts on.</summary>
    public IReadOnlyList<int> Lines { get; }

    /// <summary>The index of column <paramref name="column"/>, or an error listing the columns.</summary>
    public int IndexOf(string column)
    {
        int i = Header.ToList().IndexOf(column);
        return i >= 0 ? i : throw new InvalidDataException(
            $"CSV: {Name}: no column '{column}'; the columns are {string.Join(", ", Header.Select(h => $"'{h}'"))}");
    }

    /// <summary>The table with only the rows at <paramref name="indices"/>, in that order.</summary>
    public CsvTable Select(IReadOnlyList<int> indices) =>
        new(Name, Header, indices.Select(i => Rows[i]).ToArray(), indices.Select(i => Lines[i]).ToArray());

    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    public static CsvTable Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV: {path}: file not found", path);
        // Every character is kept as a UTF-16 string, so the file's length bounds the memory from below.
        Runtime.MemoryBudget.Current.Require($"CSV: {path}", "the file's text (held as UTF-16 cells)", Runtime.MemoryBudget.Times(new FileInfo(path).Length, 2));
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path);
    }

    /// <summary>
    /// The column names of the CSV file at <paramref name="path"/>, read by the same rules (quotes, memory
    /// budget) without reading the rows.
    /// </summary>
    public static IReadOnlyList<string> ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV: {path}: file not found", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (var (fields, _) in ReadRecords(reader, path)) return fields;
        throw new InvalidDataException($"CSV: {path}: empty file (expected a header row)");
    }

    /// <summary>Reads CSV text; <paramref name="name"/> names the source in errors.</summary>
    public static CsvTable Parse(TextReader reader, string name = "(text)")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var records = ReadRecords(reader, name).GetEnumerator();
        if (!records.MoveNext())
            throw new InvalidDataException($"CSV: {name}: empty file (expected a header row)");
        var header = records.Current.Fields;
        var rows = new List<string[]>();
        var lines = new List<int>();
        while (records.MoveNext())
        {
            var (fields, line) = records.Current;
            if (fields.Count != header.Count)
                throw new InvalidDataException($"CSV: {name} line {line}: {fields.Count} fields, the header has {header.Count}");
            rows.Add([.. fields]);
            lines.Add(line);
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"CSV: {name}: no data rows after the header");
        return new CsvTable(name, header, rows, lines);
    }

    /// <summary>
    /// RFC 4180 records with the line number each starts on; blank lines yield nothing. The cells and text
    /// read so far are counted against <see cref="Runtime.MemoryBudget.Current"/> (a cell about 32 bytes
    /// once stored, a character 2), so a huge or hostile file is refused as soon as it passes the budget.
    /// </summary>
    internal static IEnumerable<(List<string> Fields, int Line)> ReadRecords(TextReader reader, string name)
    {
        var budget = Runtime.MemoryBudget.Current;
        long cells = 0, characters = 0, rows = 0, columns = 0;
        int line = 1;
        var field = new StringBuilder();
        var fields = new List<string>();
        int start = 1;
        bool quoted = false, wasQuoted = false, any = false;
        while (true)
        {
            int ch = reader.Read();
            if (quoted)
            {
                if (ch < 0)
                    throw new InvalidDataException($"CSV: {name} line {start}: a quoted field is not closed before the end of the file");
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append((char)ch);
                    if ((field.Length & 0xFFFF) == 0) Charge(field.Length);
                }
                continue;
            }
            if (ch == '"')
            {
                if (field.Length > 0 || wasQuoted)
                    throw new InvalidDataException($"CSV: {name} line {line}: a quote inside an unquoted field (quote the whole field and double the quote)");
                quoted = wasQuoted = any = true;
                continue;
            }
            if (ch == ',')
            {
                AddField();
                field.Clear();
                wasQuoted = false;
                any = true;
                continue;
            }
            if (ch is '\n' or '\r' or -1)
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                if (any || field.Length > 0)
                {
                    AddField();
                    rows++;
                    if (rows == 1) columns = fields.Count;
                    yield return (fields, start);
                    fields = [];
                }
                field.Clear();
                wasQuoted = any = false;
                if (ch == -1) yield break;
                line++;
                start = line;
                continue;
            }
            if (wasQuoted && !char.IsWhiteSpace((char)ch))
                throw new InvalidDataException($"CSV: {name} line {line}: text after the closing quote of a field");
            if (!wasQuoted) field.Append((char)ch);
            // A single huge cell (a ten-million-digit number) counts as it grows, not only once it ends.
            if ((field.Length & 0xFFFF) == 0) Charge(field.Length);
            any = true;
        }

        void AddField()
        {
            fields.Add(field.ToString());
            cells++;
            characters += field.Length;
            Charge(0);
        }

        // cells ≤ budget.Cells exactly when the first term of the charge fits the budget.
        void Charge(long pending)
        {
            long charge = cells * 32 + (characters + pending) * 2;
            if (charge > budget.Bytes)
                budget.Require($"CSV: {name}", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{rows:N0} rows × {(rows == 0 ? fields.Count : columns)} columns ({cells:N0} cells, {characters + pending:N0} characters) by line {line}"), charge);
        }
    }
}
