using System.Reflection;
using System.Runtime.InteropServices;

namespace Dendrite.Distributed;

/// <summary>
/// The few functions of the MPI C API that <see cref="MpiProcessGroup"/> calls, bound to the system's Open MPI
/// (<c>libmpi.so.40</c>). Open MPI's handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are
/// the addresses of exported global objects (<c>ompi_mpi_comm_world</c>, …), so they are looked up by name.
/// </summary>
internal static partial class Mpi
{
    private const string Library = "mpi";
    public const int Success = 0;

    // The names MPI's shared library goes by: Open MPI 4/5 (Debian, Fedora, conda), then the unversioned link.
    private static readonly string[] Names = ["libmpi.so.40", "libmpi.so", "libmpi.so.12", "libmpi.dylib"];
    private static IntPtr handle;

    public static IntPtr CommWorld { get; private set; }
    public static IntPtr Float { get; private set; }
    public static IntPtr Double { get; private set; }
    public static IntPtr Sum { get; private set; }
    public static IntPtr ErrorsReturn { get; private set; }

    /// <summary>Loads libmpi and resolves the handles; throws <see cref="DllNotFoundException"/> with one clear line when it cannot.</summary>
    public static void Load()
    {
        if (handle != IntPtr.Zero) return;
        IntPtr found = IntPtr.Zero;
        foreach (var name in Names)
        {
            // Open MPI loads its components (transports, collectives) as plugins that link against libmpi's own
            // symbols, which they only find when libmpi was opened RTLD_GLOBAL (as mpi4py does).
            if (OperatingSystem.IsLinux()) DlOpen(name, RtldNow | RtldGlobal);
            if (NativeLibrary.TryLoad(name, out found)) break;
        }
        if (found == IntPtr.Zero)
            throw new DllNotFoundException(
                $"MPI is not installed: none of {string.Join(", ", Names)} could be loaded (on Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev)");
        IntPtr Export(string symbol) => NativeLibrary.TryGetExport(found, symbol, out var address) ? address
            : throw new DllNotFoundException($"the MPI library found lacks {symbol}: Dendrite.Distributed needs Open MPI (MPICH and others are not supported)");
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Sum = Export("ompi_mpi_op_sum");
        ErrorsReturn = Export("ompi_mpi_errors_return");
        handle = found;
        NativeLibrary.SetDllImportResolver(typeof(Mpi).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name == Library ? handle : IntPtr.Zero;

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlOpen(string file, int mode);

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalized")]
    public static partial int Finalized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Init")]
    public static partial int Init(IntPtr argc, IntPtr argv);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(IntPtr comm, out int rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(IntPtr comm, out int size);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_set_errhandler")]
    public static partial int CommSetErrhandler(IntPtr comm, IntPtr handler);

    [LibraryImport(Library, EntryPoint = "MPI_Ibcast")]
    public static unsafe partial int Ibcast(void* buffer, int count, IntPtr datatype, int root, IntPtr comm, out IntPtr request);

    [LibraryImport(Library, EntryPoint = "MPI_Iallreduce")]
    public static unsafe partial int Iallreduce(void* send, void* receive, int count, IntPtr datatype, IntPtr op, IntPtr comm, out IntPtr request);

    [LibraryImport(Library, EntryPoint = "MPI_Ibarrier")]
    public static partial int Ibarrier(IntPtr comm, out IntPtr request);

    // status may be MPI_STATUS_IGNORE, which Open MPI defines as a null pointer.
    [LibraryImport(Library, EntryPoint = "MPI_Test")]
    public static partial int Test(ref IntPtr request, out int flag, IntPtr status);

    [LibraryImport(Library, EntryPoint = "MPI_Error_string")]
    public static unsafe partial int ErrorString(int code, byte* text, out int length);

    /// <summary>MPI_IN_PLACE in Open MPI: the address 1.</summary>
    public static readonly unsafe void* InPlace = (void*)1;

    /// <summary>Throws with MPI's own words for <paramref name="code"/> unless it is MPI_SUCCESS.</summary>
    public static void Check(int code, string call)
    {
        if (code == Success) return;
        throw new InvalidOperationException($"{call} returned {code} ({Describe(code)})");
    }

    private static unsafe string Describe(int code)
    {
        // MPI_MAX_ERROR_STRING is 256 in Open MPI.
        byte* text = stackalloc byte[256];
        return ErrorString(code, text, out int length) == Success ? System.Text.Encoding.UTF8.GetString(text, length) : "unknown MPI error";
    }
}
