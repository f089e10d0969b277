// The article's Okcoder.ShareMemory.Reader form, its button handlers turned into verbs
// that print what the form would show:
//   Reader.exe MAPFILE image    (btnRead_Click: the path text box, the picture's size)
//   Reader.exe MAPFILE struct   (btnReadStruct_Click: the message box's text)
using System;
using Okcoder.ShareMemory.Common;

public static class Reader
{
public static int Main(string[] args)
{
ShareMemoryHelper helper = new ShareMemoryHelper(args[0]);
helper.OpenShareMemory();
if (args[1] == "image")
{
byte[] bytes = helper.ReadMemoryWithBytes();
ImageData imageData = new ImageData();
imageData.BytesToImage(bytes);
Console.WriteLine("path: " + imageData.ImageFullPath);
Console.WriteLine("size: " + imageData.ImageContent.Width + "x" + imageData.ImageContent.Height);
return 0;
}
if (args[1] == "struct")
{
TestData testData = helper.ReadMemoryWithStruct();
Console.WriteLine(testData.ToString());
return 0;
}
Console.Error.WriteLine("usage: Reader.exe MAPFILE image | struct");
return 64;
}
}
