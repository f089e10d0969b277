// The article's Okcoder.ShareMemory.Writer form, its button handlers turned into verbs:
//   Writer.exe MAPFILE image PATH   (btnBrowser_Click + btnWriteMemory_Click)
//   Writer.exe MAPFILE struct       (btnWriteStruct_Click)
using System;
using System.Drawing;
using Okcoder.ShareMemory.Common;

public static class Writer
{
public static int Main(string[] args)
{
var helper = new ShareMemoryHelper(args[0]);
if (args[1] == "image")
{
// btnBrowser_Click: the picture box holds Bitmap.FromFile(fileName); the text box the path.
string fileName = args[2];
var image = Bitmap.FromFile(fileName);
// btnWriteMemory_Click
ImageData imageData = new ImageData();
imageData.ImageFullPath = fileName;
imageData.ImageContent = (Bitmap)image;
byte[] bytes = imageData.ImageToBytes();
helper.CreateOrOpenSharedMemory();
helper.WriteMemoryWithBytes(bytes);
Console.WriteLine("wrote " + bytes.Length + " bytes");
return 0;
}
if (args[1] == "struct")
{
// btnWriteStruct_Click
TestData testData = TestData.Create();
testData.Id = 100;
testData.Age = 20;
for (int i = 0; i < 10; i++)
{
testData.Scores[i] = i + 60;
}
helper.CreateOrOpenSharedMemory();
helper.WriteMemoryWithStruct(testData);
Console.WriteLine(testData.ToString());
return 0;
}
Console.Error.WriteLine("usage: Writer.exe MAPFILE image PATH | struct");
return 64;
}
}
