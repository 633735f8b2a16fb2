using System.Text.Json.Nodes;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Malformed variants of a JSON body made from a seed, shared by the malformed-input and equivalence tests: the node at
/// each path replaced by each wrong value, removed, and (in an array) duplicated. Each body comes with what was changed,
/// so a failure names it.
/// </summary>
internal static class JsonMutations
{
    /// <summary>
    /// The path of every node of <paramref name="seed"/>: the root (<c>[]</c>) first, then each node before its children,
    /// in document order. Below a property named <paramref name="skipSubtreesUnder"/> only that property itself is listed.
    /// </summary>
    public static List<List<object>> Paths(JsonNode seed, string? skipSubtreesUnder = null)
    {
        var paths = new List<List<object>>();
        Collect(seed, [], paths, skipSubtreesUnder);
        return paths;
    }

    /// <summary>Every node of <paramref name="seed"/> (see <see cref="Paths"/>) replaced by each of <paramref name="wrongValues"/>, removed, and (in an array) duplicated.</summary>
    public static IEnumerable<(byte[] Body, string What)> Mutations(JsonNode seed, IReadOnlyList<JsonNode?> wrongValues, string? skipSubtreesUnder = null)
        => Mutations(seed, Paths(seed, skipSubtreesUnder), wrongValues);

    /// <summary>The node at each of <paramref name="paths"/> replaced by each of <paramref name="wrongValues"/>, removed, and (in an array) duplicated.</summary>
    public static IEnumerable<(byte[] Body, string What)> Mutations(JsonNode seed, IEnumerable<List<object>> paths, IReadOnlyList<JsonNode?> wrongValues)
    {
        foreach (var path in paths)
        {
            foreach (var wrong in wrongValues)
            {
                yield return (Replace(seed, path, wrong), $"{Describe(path)} = {wrong?.ToJsonString() ?? "null"}");
            }

            if (path.Count == 0)
            {
                continue;
            }

            yield return (Change(seed, path, static (parent, last) =>
            {
                if (last is string name)
                {
                    parent.AsObject().Remove(name);
                }
                else
                {
                    parent.AsArray().RemoveAt((int)last);
                }
            }), $"{Describe(path)} removed");

            if (path[^1] is int)
            {
                yield return (Change(seed, path, static (parent, last) =>
                {
                    var array = parent.AsArray();
                    array.Insert((int)last, array[(int)last]?.DeepClone());
                }), $"{Describe(path)} duplicated");
            }
        }
    }

    private static byte[] Replace(JsonNode seed, List<object> path, JsonNode? value)
    {
        if (path.Count == 0)
        {
            return TranslationTestSupport.Utf8(value?.ToJsonString() ?? "null");
        }

        return Change(seed, path, (parent, last) =>
        {
            if (last is string name)
            {
                parent[name] = value?.DeepClone();
            }
            else
            {
                parent[(int)last] = value?.DeepClone();
            }
        });
    }

    /// <summary>A copy of <paramref name="seed"/> with <paramref name="change"/> applied to the parent of the node at <paramref name="path"/> (given the path's last step).</summary>
    private static byte[] Change(JsonNode seed, List<object> path, Action<JsonNode, object> change)
    {
        var root = seed.DeepClone();
        var parent = root;
        foreach (var step in path.Take(path.Count - 1))
        {
            parent = step is string name ? parent[name]! : parent[(int)step]!;
        }

        change(parent, path[^1]);
        return TranslationTestSupport.Utf8(root.ToJsonString());
    }

    private static void Collect(JsonNode? node, List<object> path, List<List<object>> paths, string? skipUnder)
    {
        paths.Add(path);
        if (path.Count > 0 && path[^1] is string key && key == skipUnder)
        {
            return;
        }

        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    Collect(child, [.. path, name], paths, skipUnder);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    Collect(a[i], [.. path, i], paths, skipUnder);
                }

                break;
        }
    }

    private static string Describe(List<object> path) => path.Count == 0 ? "(body)" : string.Join('.', path);
}
