using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MogFace.Server.Tests.Infrastructure;

namespace MogFace.Server.Tests;

/// <summary>
/// Issue 12, case 14: the server's host gives a stop (SIGTERM, Ctrl-C) 2 s, where the host's default is 30 s, and
/// the last heartbeat is bounded well within that.
/// </summary>
[Collection(KeyedServerCollection.Name)]
public sealed class ShutdownTests(KeyedServerFixture fixture)
{
    [Fact]
    public void The_host_gives_shutdown_two_seconds()
    {
        var options = fixture.Server.App.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), options.ShutdownTimeout);
        Assert.Equal(MogFaceServer.ShutdownTimeout, options.ShutdownTimeout);
        Assert.True(Registry.Storage.InstanceHeartbeat.FinalWriteTimeout < options.ShutdownTimeout);
    }
}
