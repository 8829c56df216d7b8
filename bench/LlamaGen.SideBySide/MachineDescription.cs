using System.Globalization;
using System.Runtime.InteropServices;

namespace LlamaGen.SideBySide;

/// <summary>The machine line of RESULTS.md: CPU, cores, memory, OS, .NET, read from /proc and the runtime.</summary>
internal sealed record MachineDescription(string Cpu, int LogicalCores, string Memory, string OperatingSystem, string DotNet, string CpuFeatures)
{
    public static MachineDescription Current()
    {
        string cpu = FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        string flags = FirstValue("/proc/cpuinfo", "flags") ?? "";
        // The features the kernels of both engines choose between.
        string[] interesting = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"];
        string features = string.Join(' ', interesting.Where(f => flags.Split(' ').Contains(f)));

        string memory = "unknown";
        if (FirstValue("/proc/meminfo", "MemTotal") is { } total && total.EndsWith(" kB", StringComparison.Ordinal)
            && long.TryParse(total[..^3].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib))
            memory = string.Create(CultureInfo.InvariantCulture, $"{kib / (1024.0 * 1024.0):F1} GiB");

        string os = RuntimeInformation.OSDescription;
        if (File.Exists("/etc/os-release"))
        {
            string? pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
                os = pretty["PRETTY_NAME=".Length..].Trim('"') + ", Linux " +
                     (File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString());
        }
        return new MachineDescription(cpu, Environment.ProcessorCount, memory, os, RuntimeInformation.FrameworkDescription, features);
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg): how busy the machine was around the runs.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    // "key<tabs>: value" lines of /proc/cpuinfo and "Key:   value" lines of /proc/meminfo.
    private static string? FirstValue(string path, string key)
    {
        if (!File.Exists(path)) return null;
        foreach (string line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == key)
                return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
