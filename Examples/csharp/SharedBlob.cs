// A C# wrapper over libsharedblob (sharedblob.h) through P/Invoke, and a small program
// that publishes a file or reads the latest blob. Runs under Mono (mcs + mono) and .NET.
// Build: mcs -out:sharedblob-cs.exe SharedBlob.cs
// Run:   LD_LIBRARY_PATH=DIR-OF-libsharedblob.so mono sharedblob-cs.exe put SEGMENT FILE LABEL
//        ... mono sharedblob-cs.exe get SEGMENT OUT      (prints the label and the SHA-256)
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SharedBlob
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Metadata
    {
        public ulong Sequence;
        public ulong Length;
        public ulong Checksum;
        public long PublishTimeNs;
        public int WriterPid;
        public uint Kind;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct View
    {
        public IntPtr Bytes;
        public UIntPtr Length;
        public Metadata Metadata;
        public IntPtr Internal;
    }

    /// A failure of the library: its sb_status and the one-line message sb_last_error() gave
    /// right after the failing call (the next call into the library replaces it).
    public class SharedBlobException : Exception
    {
        public int Status { get; }
        public SharedBlobException(int status, string message) : base(message) { Status = status; }
    }

    static class Native
    {
        const string Lib = "sharedblob";
        [DllImport(Lib)] public static extern IntPtr sb_last_error();
        [DllImport(Lib)] public static extern int sb_open(string name, int mode, ulong capacity, out IntPtr segment);
        [DllImport(Lib)] public static extern void sb_close(IntPtr segment);
        [DllImport(Lib)] public static extern int sb_publish(IntPtr segment, byte[] data, UIntPtr length, string path, out Metadata metadata);
        [DllImport(Lib)] public static extern int sb_view_begin(IntPtr segment, out View view);
        [DllImport(Lib)] public static extern int sb_view_end(IntPtr segment, ref View view);
        [DllImport(Lib)] public static extern int sb_frame_split(IntPtr frame, UIntPtr length, out IntPtr path, out UIntPtr pathLength,
                                                                 out IntPtr content, out UIntPtr contentLength);
        [DllImport(Lib)] public static extern int sb_terminal_text(byte[] text, UIntPtr length, byte[] output, UIntPtr capacity,
                                                                   out UIntPtr needed);
    }

    /// An open segment; Dispose unmaps it.
    public sealed class Segment : IDisposable
    {
        const int Ok = 0, Overwritten = 13;
        const int CreateOrOpen = 1, OpenExisting = 2;
        const uint KindImageData = 1;
        IntPtr handle;

        Segment(IntPtr handle) { this.handle = handle; }

        static void Check(int status)
        {
            if (status != Ok) throw Failure(status);
        }

        /// The exception for a status just returned: call it before any other library call.
        static SharedBlobException Failure(int status)
        {
            return new SharedBlobException(status, Marshal.PtrToStringAnsi(Native.sb_last_error()));
        }

        /// Opens an existing segment (status 1, SB_NOT_FOUND, when there is none).
        public static Segment Open(string name) { return Open(name, OpenExisting); }

        /// Opens the segment, creating it (10 MiB slots) if it is missing.
        public static Segment OpenOrCreate(string name) { return Open(name, CreateOrOpen); }

        static Segment Open(string name, int mode)
        {
            IntPtr h;
            Check(Native.sb_open(name, mode, 0, out h));
            return new Segment(h);
        }

        /// Publishes bytes as an ImageData frame with a path label.
        public Metadata Publish(byte[] content, string label)
        {
            Metadata m;
            Check(Native.sb_publish(handle, content, (UIntPtr)content.Length, label, out m));
            return m;
        }

        /// The latest blob's label (null for raw bytes, which have none) and content,
        /// verified: copied out of a zero-copy view, which is looked at again if a writer
        /// replaced it meanwhile.
        public Tuple<string, byte[], Metadata> Read()
        {
            while (true)
            {
                View v;
                Check(Native.sb_view_begin(handle, out v));
                IntPtr path = IntPtr.Zero, content = v.Bytes;
                UIntPtr pathLength = UIntPtr.Zero, contentLength = v.Length;
                SharedBlobException malformed = null;
                if (v.Metadata.Kind == KindImageData)
                {
                    int split = Native.sb_frame_split(v.Bytes, v.Length, out path, out pathLength, out content, out contentLength);
                    if (split != Ok) malformed = Failure(split);
                }
                string label = null;
                byte[] bytes = null;
                if (malformed == null)
                {
                    if (path != IntPtr.Zero)
                    {
                        var raw = new byte[(int)pathLength];
                        Marshal.Copy(path, raw, 0, raw.Length);
                        label = System.Text.Encoding.UTF8.GetString(raw);
                    }
                    bytes = new byte[(int)contentLength];
                    Marshal.Copy(content, bytes, 0, bytes.Length);
                }
                int end = Native.sb_view_end(handle, ref v);
                if (end == Overwritten) continue;
                Check(end);
                if (malformed != null) throw malformed;
                return Tuple.Create(label, bytes, v.Metadata);
            }
        }

        /// Untrusted text (a path label) as it is safe to print on a terminal: control
        /// characters escaped by the library (sb_terminal_text), as blob-reader prints them.
        public static string TerminalText(string text)
        {
            var raw = System.Text.Encoding.UTF8.GetBytes(text);
            var output = new byte[4 * raw.Length + 1];
            UIntPtr needed;
            Check(Native.sb_terminal_text(raw, (UIntPtr)raw.Length, output, (UIntPtr)output.Length, out needed));
            return System.Text.Encoding.UTF8.GetString(output, 0, (int)needed - 1);
        }

        public void Dispose()
        {
            if (handle != IntPtr.Zero) { Native.sb_close(handle); handle = IntPtr.Zero; }
        }
    }

    static class Program
    {
        static int Main(string[] args)
        {
            try
            {
                if (args.Length == 4 && args[0] == "put")
                {
                    using (var seg = Segment.OpenOrCreate(args[1]))
                    {
                        var m = seg.Publish(File.ReadAllBytes(args[2]), args[3]);
                        Console.WriteLine("published sequence " + m.Sequence);
                    }
                    return 0;
                }
                if (args.Length == 3 && args[0] == "get")
                {
                    using (var seg = Segment.Open(args[1]))
                    {
                        var blob = seg.Read();
                        File.WriteAllBytes(args[2], blob.Item2);
                        string sha;
                        using (var h = SHA256.Create()) sha = BitConverter.ToString(h.ComputeHash(blob.Item2)).Replace("-", "").ToLowerInvariant();
                        Console.WriteLine("path: " + (blob.Item1 == null ? "(none: raw bytes)" : Segment.TerminalText(blob.Item1)));
                        Console.WriteLine("sha256: " + sha);
                        Console.WriteLine("sequence: " + blob.Item3.Sequence);
                    }
                    return 0;
                }
                Console.Error.WriteLine("usage: sharedblob-cs.exe put SEGMENT FILE LABEL | get SEGMENT OUT");
                return 64;
            }
            catch (SharedBlobException e)
            {
                Console.Error.WriteLine("Error: " + e.Message + " (status " + e.Status + ")");
                return 1;
            }
        }
    }
}
