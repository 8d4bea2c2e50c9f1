using System.Diagnostics;
using Mesh.Node.Agents.Output;

namespace Mesh.Node.Agents.Processes;

/// <summary>
/// Starts a run under a holder: <c>/bin/sh</c> in a session of its own (setsid) that joins the run's cgroup, sends
/// its own and the command's output to files opened with O_APPEND, starts the command, forwards SIGTERM to it and
/// writes its exit status to a file. The holder does not depend on the node: when the node process dies or restarts,
/// the run goes on writing its output, and its exit status is still there for the node that comes back.
/// </summary>
internal static class RunHolder
{
    // $1 the run folder, then the cgroup.procs files to join, "--", the command. Dash's `wait` returns 128+N for a
    // command killed by signal N. A TERM for the holder goes to the command; the holder itself ignores HUP and INT
    // only after the command started, so that the command does not inherit ignoring them.
    internal const string Script = """
        d=$1; shift
        exec >>"$d/stdout" 2>>"$d/stderr" </dev/null
        while [ "$1" != "--" ]; do echo $$ > "$1" || { echo "mesh: cannot join the run's cgroup ($1)" >&2; exit 125; }; shift; done; shift
        trap 'kill -TERM $c 2>/dev/null' TERM
        "$@" & c=$!
        echo $c > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"
        trap '' HUP INT
        while :; do wait $c; st=$?; kill -0 $c 2>/dev/null || break; done
        echo $st > "$d/exit.tmp" && mv "$d/exit.tmp" "$d/exit"
        """;

    public static Process Start(RunFolder folder, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string workDir, RunCgroup? cgroup)
    {
        var info = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("mesh-run");
        info.ArgumentList.Add(folder.Path);
        foreach (var procs in cgroup?.ProcsFiles ?? [])
            info.ArgumentList.Add(procs);
        info.ArgumentList.Add("--");
        foreach (var arg in command)
            info.ArgumentList.Add(arg);
        info.Environment.Clear();
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        return Process.Start(info) ?? throw new IOException("setsid did not start");
    }
}
