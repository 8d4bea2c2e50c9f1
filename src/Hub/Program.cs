using Mesh.Hub.Cli;

return await MeshCommandLine.InvokeAsync(args);
