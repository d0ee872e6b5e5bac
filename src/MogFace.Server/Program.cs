using MogFace.Server;

// Standalone host for the MogFace HTTP API: the same routes and handlers as the Functions app, on
// http://127.0.0.1:${PORT:-7071} unless --urls / ASPNETCORE_URLS say otherwise. See docs/http.md.
var app = MogFaceServer.Build(args);
app.Run();
