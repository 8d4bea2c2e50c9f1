using Mesh.ActorCli;

return await ActorCommandLine.InvokeAsync(args);
