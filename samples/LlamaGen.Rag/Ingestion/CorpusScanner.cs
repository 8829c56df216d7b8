using LlamaGen.Rag.Documents;

namespace LlamaGen.Rag.Ingestion;

/// <summary>Finds the supported documents under the folders given to <c>ingest</c>, before the store is opened, so bad input changes nothing.</summary>
public static class CorpusScanner
{
    public static CorpusScan Scan(IReadOnlyList<string> roots, string storeFolder, DocumentReader reader)
    {
        if (roots.Count == 0) throw new RagInputException("no folder to ingest: give one or more DIR arguments");
        var files = new SortedDictionary<string, CorpusFile>(StringComparer.Ordinal);
        var scopes = new List<string>();
        foreach (string root in roots)
        {
            if (File.Exists(root))
            {
                if (!reader.IsSupported(root))
                    throw new RagInputException($"'{root}' is not a supported document (reads {string.Join(", ", reader.Extensions.Order())})");
                Add(Path.GetFullPath(root));
                scopes.Add(KeyOf(Path.GetFullPath(root), storeFolder));
                continue;
            }
            if (!Directory.Exists(root))
                throw new RagInputException($"'{root}': no such folder");
            scopes.Add(KeyOf(Path.GetFullPath(root), storeFolder));
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
            foreach (string path in Directory.EnumerateFiles(root, "*", options))
                if (reader.IsSupported(path)) Add(Path.GetFullPath(path));
        }
        if (files.Count == 0)
            throw new RagInputException($"no {string.Join(", ", reader.Extensions.Order())} files in {string.Join(", ", roots.Select(r => $"'{r}'"))}: nothing to ingest, the store was not changed");
        return new CorpusScan(files.Values.ToList(), scopes);

        void Add(string fullPath)
        {
            string key = KeyOf(fullPath, storeFolder);
            files[key] = new CorpusFile(key, fullPath);
        }
    }

    public static string KeyOf(string fullPath, string storeFolder) =>
        Path.GetRelativePath(storeFolder, fullPath).Replace(Path.DirectorySeparatorChar, '/');
}
