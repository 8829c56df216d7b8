namespace LlamaGen.Generator.Json;

/// <summary>A <c>"key": value</c> pair; <see cref="KeyStart"/>/<see cref="KeyLength"/> cover the quoted key.</summary>
internal sealed class JsonMember(string key, int keyStart, int keyLength, JsonNode value)
{
    public string Key { get; } = key;
    public int KeyStart { get; } = keyStart;
    public int KeyLength { get; } = keyLength;
    public JsonNode Value { get; } = value;
}
