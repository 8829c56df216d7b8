using System.Collections.Generic;
using LlamaGen.Generator.Shared;
using Microsoft.CodeAnalysis;

namespace LlamaGen.Generator;

/// <summary>Every diagnostic the generator reports. Each message says what is wrong and what to do.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "LlamaGen";

    public static readonly DiagnosticDescriptor SpecFileNotFound = new(
        "LLG0001", "Model spec file not found",
        "No additional file matches the spec path '{0}'. Add the spec JSON to the project as <AdditionalFiles Include=\"{0}\" /> (paths are matched by suffix).",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor JsonSyntaxError = new(
        "LLG0002", "Model spec is not valid JSON",
        "The model spec is not valid JSON: {0}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownKey = new(
        "LLG0003", "Unknown key in model spec",
        "Unknown key \"{0}\" in the model spec. Known keys: {1}.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MissingKey = new(
        "LLG0004", "Required key missing from model spec",
        "The model spec has no \"{0}\" key. Add it ({1}).",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongType = new(
        "LLG0005", "Model spec value has the wrong type",
        "\"{0}\" must be {1}, but it is {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidValue = new(
        "LLG0006", "Model spec value is out of range",
        SpecRules.OutOfRangeMessage,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor HeadsDoNotDivideEmbedding = new(
        "LLG0007", "Head count does not divide the embedding length",
        SpecRules.HeadsDoNotDivideEmbeddingMessage,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor KvHeadsDoNotDivideHeads = new(
        "LLG0008", "KV head count does not divide the head count",
        SpecRules.KvHeadsDoNotDivideHeadsMessage,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor OddHeadDimension = new(
        "LLG0009", "Head dimension is odd",
        SpecRules.OddHeadDimensionMessage,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedWeightType = new(
        "LLG0010", "Weight type not supported yet",
        "Weight type \"{0}\" is a known ggml type but LlamaGen has no kernels for it yet. Remove it from weight_types (supported: {1}).",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownWeightType = new(
        "LLG0011", "Unknown weight type",
        "\"{0}\" is not a ggml weight type. Use one of: {1}.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor KvCacheTooLarge = new(
        "LLG0012", "KV cache too large",
        SpecRules.KvCacheTooLargeMessage,
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ClassNotPartial = new(
        "LLG0013", "Model class must be partial",
        "'{0}' carries [LlamaModel] (or contains such a class) but is not partial. Declare it 'partial' so the generator can add the model's members.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NestedInGenericType = new(
        "LLG0014", "Model class is nested in a generic type",
        "'{0}' is nested in the generic type '{1}'. Model classes have a fixed shape and cannot depend on type parameters; move it out of '{1}'.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateKey = new(
        "LLG0015", "Duplicate key in model spec",
        "The key \"{0}\" appears more than once in the model spec. Keep one.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InternalError = new(
        "LLG0016", "LlamaGen generator failed",
        "The LlamaGen generator failed on '{0}': {1}. Please report this with the spec file.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoKernelForType = new(
        "LLG0017", "Weight type cannot be used for some matrices",
        "Weight type \"{0}\" cannot be used for {1}: its rows have {2} elements, not a multiple of the {3}-element block. A GGUF file must store that matrix in another listed type.",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoKernelForMatrix = new(
        "LLG0018", "No listed weight type fits a matrix",
        "None of the weight_types can store {0} ({1} elements per row). Add a type whose block size divides {1}, such as \"f16\" or \"f32\".",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateModelAttribute = new(
        "LLG0019", "Model class has more than one [LlamaModel] attribute",
        "'{0}' has more than one [LlamaModel] attribute ({1}). A class is one fixed-shape model: keep one attribute and declare another partial class for each further spec.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EmptySpecPath = new(
        "LLG0020", "Spec path is empty",
        "The [LlamaModel] attribute on '{0}' names no spec file. Pass the spec JSON's path, e.g. [LlamaModel(\"specs/llama2-7b.json\")], and list the file in AdditionalFiles.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedModelClass = new(
        "LLG0021", "Model class cannot be generic, static, abstract or a record",
        "'{0}' is {1}, but the generated model is a concrete, non-generic class that Load instantiates. Declare it as 'partial class {0}'.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly Dictionary<string, DiagnosticDescriptor> byId = Index(
        SpecFileNotFound, JsonSyntaxError, UnknownKey, MissingKey, WrongType, InvalidValue, HeadsDoNotDivideEmbedding,
        KvHeadsDoNotDivideHeads, OddHeadDimension, UnsupportedWeightType, UnknownWeightType, KvCacheTooLarge,
        ClassNotPartial, NestedInGenericType, DuplicateKey, InternalError, NoKernelForType, NoKernelForMatrix,
        DuplicateModelAttribute, EmptySpecPath, UnsupportedModelClass);

    /// <summary>Every descriptor, in id order (for tests and documentation).</summary>
    public static IEnumerable<DiagnosticDescriptor> All
    {
        get
        {
            var all = new List<DiagnosticDescriptor>(byId.Values);
            all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return all;
        }
    }

    public static DiagnosticDescriptor ById(string id) => byId[id];

    private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] descriptors)
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (DiagnosticDescriptor descriptor in descriptors) map.Add(descriptor.Id, descriptor);
        return map;
    }
}
