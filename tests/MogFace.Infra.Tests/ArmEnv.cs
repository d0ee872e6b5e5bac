using System.Text;
using System.Text.Json.Nodes;

namespace MogFace.Infra.Tests;

/// <summary>
/// A container's <c>env</c> as entries. Bicep writes it as a JSON array while it is a plain list, but as one
/// expression string (<c>[concat(createArray(createObject('name', …, 'value', …), …), if(…))]</c>) once the
/// list is built with <c>concat</c> (the key secrets are added only when set): this reads the
/// <c>createObject</c> calls of that expression back into objects, literal values as strings and other values as
/// <c>[expression]</c> strings that <see cref="ArmTemplate.Resolve"/> understands.
/// </summary>
public static class ArmEnv
{
    public static JsonArray Entries(JsonNode env)
    {
        if (env is JsonArray array)
            return array;
        var text = (string?)env ?? throw new InvalidOperationException("env is neither an array nor an expression.");
        var entries = new JsonArray();
        const string call = "createObject(";
        for (var at = text.IndexOf(call, StringComparison.Ordinal); at >= 0; at = text.IndexOf(call, at + 1, StringComparison.Ordinal))
        {
            var args = Arguments(text, at + call.Length);
            var entry = new JsonObject();
            for (var i = 0; i + 1 < args.Count; i += 2)
                entry[Literal(args[i]) ?? args[i]] = Literal(args[i + 1]) ?? "[" + args[i + 1] + "]";
            entries.Add(entry);
        }
        return entries;
    }

    /// <summary>The top-level arguments of the call whose '(' ends just before <paramref name="start"/>.</summary>
    private static List<string> Arguments(string text, int start)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quoted = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                current.Append(c);
                if (c == '\'' && (i + 1 >= text.Length || text[i + 1] != '\''))
                    quoted = false;
                else if (c == '\'')
                    current.Append(text[++i]);
                continue;
            }
            switch (c)
            {
                case '\'':
                    quoted = true;
                    current.Append(c);
                    break;
                case '(':
                    depth++;
                    current.Append(c);
                    break;
                case ')' when depth == 0:
                    args.Add(current.ToString().Trim());
                    return args;
                case ')':
                    depth--;
                    current.Append(c);
                    break;
                case ',' when depth == 0:
                    args.Add(current.ToString().Trim());
                    current.Clear();
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }
        throw new FormatException($"Unbalanced call in {text}");
    }

    /// <summary>The text of a quoted ARM string literal, or null for any other expression.</summary>
    private static string? Literal(string arg) =>
        arg.Length >= 2 && arg[0] == '\'' && arg[^1] == '\'' && !arg[1..^1].Replace("''", "").Contains('\'')
            ? arg[1..^1].Replace("''", "'")
            : null;
}
