    // A copy that records a graph, so the loss can be differentiated with respect to the pixels.
    var x = images.Detach().Clone().RequiresGrad_();
    var loss = Functional.CrossEntropy(model.Call(x), labels);
    loss.Backward();
    using (GradMode.NoGrad())
        return (x.Detach() + epsilon * x.Grad!.Sign()).Clamp(0f, 1f);
