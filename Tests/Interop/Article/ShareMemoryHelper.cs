// The article's ShareMemoryHelper, ported to Linux with as few changes as possible.
// Changes (marked "PORT"): Mono does not share named maps between processes, so both
// sides map a real file (CreateFromFile with the path given on the command line); Mono
// maps such a file only when it already has exactly the capacity's size, so the file is
// sized first; FileMode.Create would empty it, so it is OpenOrCreate.
using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Okcoder.ShareMemory.Common
{
public class ShareMemoryHelper
{
private MemoryMappedFile memoryMapped;
private MemoryMappedViewAccessor memoryAccessor;
// PORT: the article's MapName is a name; here it is the file's path.
public string MapName = "/dev/shm/shared-blob-article";
private long capacity = 1024 * 1024 * 10;

public ShareMemoryHelper(string path) { this.MapName = path; }

/// <summary>
/// Create or open shared memory
/// </summary>
public void CreateOrOpenSharedMemory()
{
// PORT: CreateOrOpen(name, ...) is process-local under Mono; map the file instead.
this.CreateFromFileShareMemory();
}
/// <summary>
/// Create shared memory from a file
/// </summary>
public void CreateFromFileShareMemory()
{
var stream = new FileStream(this.MapName, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
if (stream.Length != this.capacity) { stream.SetLength(this.capacity); } // PORT: Mono needs the exact size
this.memoryMapped = MemoryMappedFile.CreateFromFile(stream, null, this.capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, false);
this.memoryAccessor = this.memoryMapped.CreateViewAccessor();
}
/// <summary>
/// Open existing shared memory
/// </summary>
public void OpenShareMemory()
{
// PORT: OpenExisting(name) finds nothing across processes under Mono.
var stream = new FileStream(this.MapName, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
this.memoryMapped = MemoryMappedFile.CreateFromFile(stream, null, this.capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, false);
this.memoryAccessor = this.memoryMapped.CreateViewAccessor();
}
/// <summary>
/// Read byte array
/// </summary>
/// <returns></returns>
public byte[] ReadMemoryWithBytes()
{
byte[] bytes = new byte[this.capacity];
this.memoryAccessor.ReadArray<byte>(0, bytes, 0, bytes.Length);
return bytes;
}
/// <summary>
/// Write byte array
/// </summary>
/// <param name="bytes"></param>
public void WriteMemoryWithBytes(byte[] bytes)
{
this.memoryAccessor.WriteArray<byte>(0, bytes, 0, bytes.Length);
}
/// <summary>
/// Write struct
/// </summary>
/// <param name="data"></param>
public void WriteMemoryWithStruct(TestData data)
{
// Get the size of the struct
int len = Marshal.SizeOf(typeof(TestData));
byte[] bytes = new byte[len];
// Allocate memory and get pointer
IntPtr p = Marshal.AllocHGlobal(len);
// Write struct to memory
Marshal.StructureToPtr(data, p, false);
// Copy memory to array
Marshal.Copy(p, bytes, 0, len);
// Write array to shared memory
this.memoryAccessor.WriteArray<byte>(0, bytes, 0, bytes.Length);
// Free memory
Marshal.FreeHGlobal(p);
// Clear pointer
p = IntPtr.Zero;
}
/// <summary>
/// Read struct
/// </summary>
/// <returns></returns>
public TestData ReadMemoryWithStruct()
{
// Get the size of the struct type
int len = Marshal.SizeOf(typeof(TestData));
byte[] bytes = new byte[len];
// Allocate memory
IntPtr p = Marshal.AllocHGlobal(len);
// Read data from shared memory
this.memoryAccessor.ReadArray<byte>(0, bytes, 0, bytes.Length);
// Copy byte array to pointer
Marshal.Copy(bytes, 0, p, len);
// Convert pointer to struct
TestData data = (TestData)Marshal.PtrToStructure(p, typeof(TestData));
// Free memory
Marshal.FreeHGlobal(p);
// Clear pointer
p = IntPtr.Zero;
return data;
}
}
}
