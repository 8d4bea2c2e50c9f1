using System.Diagnostics;
using System.Globalization;
using Mesh.Node.Agents.Output;

namespace Mesh.Node.Agents.Processes;

/// <summary>How a run's stdin is wired: /dev/null, the run folder's input FIFO, or a pseudo-terminal fed from it.</summary>
internal enum RunInputMode
{
    None,
    Stdin,
    Tty,
}

/// <summary>
/// Starts a run under a holder: <c>/bin/sh</c> in a session of its own (setsid) that joins the run's cgroup, sends
/// its own and the command's output to files opened with O_APPEND, starts the command, forwards SIGTERM to it and
/// writes its exit status to a file. The holder does not depend on the node: when the node process dies or restarts,
/// the run goes on writing its output, and its exit status is still there for the node that comes back.
/// An interactive run reads the run folder's FIFO <c>stdin</c>, which the holder keeps open for reading and writing
/// so the command never sees end-of-file while the node is away. A tty run goes through util-linux <c>script</c>: it
/// owns the pseudo-terminal (so the terminal, too, outlives the node), copies the FIFO to it and the screen to stdout.
/// </summary>
internal static class RunHolder
{
    // $1 the run folder, $2 none|stdin|tty, then the cgroup.procs files to join, "--", the command. Dash's `wait`
    // returns 128+N for a command killed by signal N. A TERM for the holder goes to the command; the holder itself
    // ignores HUP and INT only after the command started, so that the command does not inherit ignoring them.
    // An asynchronous command's stdin is /dev/null unless redirected, hence the FIFO named again for it.
    // For a tty run the command is `script`; the command's pid is written by TtyCommand inside the terminal.
    internal const string Script = """
        d=$1; m=$2; shift 2
        if [ "$m" = none ]; then exec >>"$d/stdout" 2>>"$d/stderr" </dev/null; else exec >>"$d/stdout" 2>>"$d/stderr" <>"$d/stdin"; fi
        while [ "$1" != "--" ]; do echo $$ > "$1" || { echo "mesh: cannot join the run's cgroup ($1)" >&2; exit 125; }; shift; done; shift
        trap 'kill -TERM $c 2>/dev/null' TERM
        if [ "$m" = none ]; then "$@" & c=$!; else "$@" <>"$d/stdin" & c=$!; fi
        [ "$m" = tty ] || { echo $c > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"; }
        trap '' HUP INT
        while :; do wait $c; st=$?; kill -0 $c 2>/dev/null || break; done
        echo $st > "$d/exit.tmp" && mv "$d/exit.tmp" "$d/exit"
        """;

    // Run by `script` as `/bin/sh -c` inside the terminal: a constant text. The command's argv arrives in environment
    // variables (MESH_TTY_ARG_0 …), never as shell text: eval only ever sees this text and a counter.
    internal const string TtyCommand = """
        d=$MESH_TTY_DIR
        stty cols "$MESH_TTY_COLS" rows "$MESH_TTY_ROWS" 2>/dev/null
        tty > "$d/tty.tmp" && mv "$d/tty.tmp" "$d/tty"
        echo $$ > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"
        n=$MESH_TTY_ARGC; i=0; set --
        while [ "$i" -lt "$n" ]; do eval "set -- \"\$@\" \"\$MESH_TTY_ARG_$i\"; unset MESH_TTY_ARG_$i"; i=$((i+1)); done
        if [ -n "${MESH_TTY_SHELL+x}" ]; then SHELL=$MESH_TTY_SHELL; else unset SHELL; fi
        unset d n i MESH_TTY_DIR MESH_TTY_COLS MESH_TTY_ROWS MESH_TTY_ARGC MESH_TTY_SHELL
        exec "$@"
        """;

    public const ushort DefaultCols = 120;
    public const ushort DefaultRows = 32;

    public static Process Start(RunFolder folder, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string workDir, RunCgroup? cgroup,
        RunInputMode input = RunInputMode.None, string? scriptPath = null)
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
        info.ArgumentList.Add(input switch { RunInputMode.Stdin => "stdin", RunInputMode.Tty => "tty", _ => "none" });
        foreach (var procs in cgroup?.ProcsFiles ?? [])
            info.ArgumentList.Add(procs);
        info.ArgumentList.Add("--");
        info.Environment.Clear();
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        if (input == RunInputMode.Tty)
        {
            foreach (var arg in new[] { scriptPath ?? "script", "-q", "-e", "-c", TtyCommand, "/dev/null" })
                info.ArgumentList.Add(arg);
            if (environment.TryGetValue("SHELL", out var shell))
                info.Environment["MESH_TTY_SHELL"] = shell;
            info.Environment["SHELL"] = "/bin/sh";
            info.Environment["MESH_TTY_DIR"] = folder.Path;
            info.Environment["MESH_TTY_COLS"] = DefaultCols.ToString(CultureInfo.InvariantCulture);
            info.Environment["MESH_TTY_ROWS"] = DefaultRows.ToString(CultureInfo.InvariantCulture);
            info.Environment["MESH_TTY_ARGC"] = command.Count.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < command.Count; i++)
                info.Environment["MESH_TTY_ARG_" + i.ToString(CultureInfo.InvariantCulture)] = command[i];
            if (!environment.ContainsKey("TERM"))
                info.Environment["TERM"] = "xterm-256color";
        }
        else
        {
            foreach (var arg in command)
                info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new IOException("setsid did not start");
    }
}
