using MogFace.Engine.Detection;

namespace MogFace.Engine.Evaluation;

public sealed record EvaluationResult(double AveragePrecision, double Recall, int TruePositives, int FalsePositives, int GroundTruth, int Ignored);

/// <summary>
/// AP at one IoU threshold over a data set, VOC style: detections of all images ranked by score, each
/// matched to the best unmatched ground-truth face; a match with an <c>invalid</c> face is ignored (neither
/// right nor wrong), as in the WIDER protocol; AP is the area under the interpolated precision envelope.
/// </summary>
public sealed class AveragePrecision(float iouThreshold = 0.5f)
{
    private readonly List<(float Score, int Outcome)> _ranked = []; // outcome: 1 TP, 0 FP, -1 ignored
    private int _groundTruth;

    public void Add(IReadOnlyList<GroundTruthFace> truth, IReadOnlyList<Face> detections)
    {
        _groundTruth += truth.Count(t => !t.Invalid);
        var taken = new bool[truth.Count];
        foreach (var d in detections.OrderByDescending(d => d.Score))
        {
            var box = new Candidate(d.Box[0], d.Box[1], d.Box[2], d.Box[3], d.Score, []);
            int best = -1;
            float bestIou = iouThreshold;
            for (var i = 0; i < truth.Count; i++)
            {
                if (taken[i])
                    continue;
                var t = truth[i].Box;
                var iou = NonMaxSuppression.IoU(box, new Candidate(t[0], t[1], t[2], t[3], 0, []));
                if (iou >= bestIou)
                {
                    bestIou = iou;
                    best = i;
                }
            }
            if (best < 0)
            {
                _ranked.Add((d.Score, 0));
                continue;
            }
            taken[best] = true;
            _ranked.Add((d.Score, truth[best].Invalid ? -1 : 1));
        }
    }

    public EvaluationResult Compute()
    {
        var ranked = _ranked.Where(r => r.Outcome >= 0).OrderByDescending(r => r.Score).ToList();
        var precision = new double[ranked.Count];
        var recall = new double[ranked.Count];
        int tp = 0, fp = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            if (ranked[i].Outcome == 1) tp++; else fp++;
            precision[i] = (double)tp / (tp + fp);
            recall[i] = _groundTruth == 0 ? 0 : (double)tp / _groundTruth;
        }
        for (var i = precision.Length - 2; i >= 0; i--)
            precision[i] = Math.Max(precision[i], precision[i + 1]);
        double ap = 0, previousRecall = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            ap += (recall[i] - previousRecall) * precision[i];
            previousRecall = recall[i];
        }
        var ignored = _ranked.Count(r => r.Outcome < 0);
        return new EvaluationResult(ap, _groundTruth == 0 ? 0 : (double)tp / _groundTruth, tp, fp, _groundTruth, ignored);
    }
}
