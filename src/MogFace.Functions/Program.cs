using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MogFace.Core;
using MogFace.Functions.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// Engine, model watcher (hosted service), ingestion and admin: the same wiring as the standalone server.
builder.Services.AddMogFaceCore(builder.Configuration);
builder.Services.AddSingleton<WeightsTriggerHandler>();
builder.Build().Run();
