using MogFace.Http;

namespace MogFace.Http.Tests;

/// <summary>The two admission lanes: small declared bodies are admitted beside large uploads, each lane bounded.</summary>
public class DetectAdmissionTests
{
    [Fact]
    public async Task A_small_declared_body_is_admitted_while_large_ones_fill_their_lane_and_each_lane_refuses_past_its_width()
    {
        using var admission = new DetectAdmission(limit: 1, queueLimit: 0, smallRequestBytes: 1000);
        Assert.Equal(DetectAdmission.SmallLaneFactor, admission.SmallLimit);

        using var large = await admission.EnterAsync(declaredLength: 5000, CancellationToken.None);
        Assert.True(large.IsAcquired);
        using (var chunked = await admission.EnterAsync(declaredLength: null, CancellationToken.None))
            Assert.False(chunked.IsAcquired); // no Content-Length: it may be any size, so it is large

        var small = new List<System.Threading.RateLimiting.RateLimitLease>();
        for (var i = 0; i < admission.SmallLimit; i++)
            small.Add(await admission.EnterAsync(declaredLength: 1000, CancellationToken.None));
        Assert.All(small, lease => Assert.True(lease.IsAcquired));
        using (var pastWidth = await admission.EnterAsync(declaredLength: 10, CancellationToken.None))
            Assert.False(pastWidth.IsAcquired);
        Assert.Equal(1 + admission.SmallLimit, admission.Admitted);
        Assert.Equal(2, admission.Refused);
        small.ForEach(lease => lease.Dispose());
    }

    [Fact]
    public async Task Without_a_small_lane_every_request_shares_one()
    {
        using var admission = new DetectAdmission(limit: 1, queueLimit: 0, smallRequestBytes: 0);
        Assert.Equal(0, admission.SmallLimit);
        using var first = await admission.EnterAsync(declaredLength: 10, CancellationToken.None);
        using var second = await admission.EnterAsync(declaredLength: 10, CancellationToken.None);
        Assert.True(first.IsAcquired);
        Assert.False(second.IsAcquired);
    }
}
