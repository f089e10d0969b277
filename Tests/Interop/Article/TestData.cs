// The article's TestData. C# 7 (mcs) allows no parameterless struct constructor, so
// the article's one became a factory, Create(), with the same body.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
namespace Okcoder.ShareMemory.Common
{
[StructLayout(LayoutKind.Sequential, Pack = 1, CharSet = CharSet.Ansi)]
public struct TestData
{
/// <summary>
/// Id, 4 bytes
/// </summary>
public int Id;
/// <summary>
/// Age, 4 bytes
/// </summary>
public int Age;
/// <summary>
/// Scores, 10 elements
/// </summary>
[MarshalAs(UnmanagedType.ByValArray, SizeConst = 0x0A)]
public int[] Scores;
public static TestData Create()
{
TestData data;
data.Id = 0;
data.Age = 0;
data.Scores = new int[10];
return data;
}
public override string ToString()
{
return $"Id={this.Id},Age={this.Age},Scores={string.Join(",",this.Scores)}";
}
}
}
