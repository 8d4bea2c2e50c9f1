using Mesh.Core.Protocol;

namespace Mesh.Node.Agents.Processes;

/// <summary>How a run ended, from the holder's exit file and what the node did to it.</summary>
internal static class RunEnd
{
    public static AgentExit Classify(ActiveRun run, int? status, bool sameBoot)
    {
        var exit = new AgentExit();
        if (!sameBoot)
        {
            exit.Reason = ExitReasons.NodeLost;
            exit.Error = "the machine restarted while the run was going";
            return exit;
        }

        if (status is { } value)
        {
            // Dash reports a command killed by signal N as 128+N (an exit code of 129-192 reads the same way).
            if (value > 128 && value <= 128 + 64)
                exit.Signal = value - 128;
            else
            {
                exit.Code = value;
                exit.HasCode = true;
            }
        }
        else if (run.SentKill)
        {
            exit.Signal = LibC.SIGKILL; // the holder went with its run
        }

        exit.Reason = run.EndingBecause switch
        {
            ExitReasons.Killed => ExitReasons.Killed,
            ExitReasons.OutputLimit => ExitReasons.OutputLimit,
            not null => ExitReasons.Stopped,
            null when status is null => ExitReasons.Crashed,
            null when exit.Signal != 0 && run.Cgroup?.OomKilled() == true => ExitReasons.Oom,
            null when exit.Signal != 0 => ExitReasons.Crashed,
            _ => ExitReasons.Exited,
        };
        if (status is null && run.EndingBecause is null)
            exit.Error = "the run's holder process ended without an exit status (killed from outside the node)";
        return exit;
    }
}
