namespace LlamaGen.Chat.Values;

/// <summary>Which view of a dict <c>keys()</c>, <c>values()</c> or <c>items()</c> returned.</summary>
internal enum DictViewKind { Keys, Values, Items }
