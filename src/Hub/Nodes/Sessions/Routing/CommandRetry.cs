using Mesh.Core.Protocol;

namespace Mesh.Hub.Nodes.Sessions.Routing;

/// <summary>
/// Which commands a node may receive twice with the effect of once, so a command whose holder hub died after sending
/// it can be sent again through the new holder: reads (ping, test connection, output and worktree reads), the drain
/// flag, and ApplyAgents — the node's whole desired set, where a start or restart is a generation the node acts on
/// once (AgentSupervisor compares RestartGeneration/KillGeneration with what it has seen). Not input to an agent
/// (it would be typed twice) nor a worktree removal (the second would report "not found").
/// </summary>
internal static class CommandRetry
{
    public static bool IsIdempotent(NodeCommand command) => command.KindCase switch
    {
        NodeCommand.KindOneofCase.Ping or NodeCommand.KindOneofCase.TestConnection or NodeCommand.KindOneofCase.Drain
            or NodeCommand.KindOneofCase.ApplyAgents or NodeCommand.KindOneofCase.OutputRead => true,
        NodeCommand.KindOneofCase.Worktree => command.Worktree.Action != WorktreeAction.Remove,
        _ => false,
    };
}
