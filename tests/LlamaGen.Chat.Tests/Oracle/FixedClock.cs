using System.Globalization;

namespace LlamaGen.Chat.Tests.Oracle;

/// <summary>A clock stopped at one local time (in UTC, so local and universal agree), for <c>strftime_now</c>.</summary>
public sealed class FixedClock(DateTime localTime) : TimeProvider
{
    public static FixedClock Parse(string isoLocalTime) =>
        new(DateTime.ParseExact(isoLocalTime, ["yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"], CultureInfo.InvariantCulture, DateTimeStyles.None));

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(localTime, DateTimeKind.Utc));
}
