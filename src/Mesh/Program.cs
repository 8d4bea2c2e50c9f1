using Mesh.Cli;

return await MeshCommandLine.InvokeAsync(args);
