    // Row (c, i, j) holds pixel (i, j) of every patch of channel c: the window of the channel shifted by (i, j).
    int channels = x.Shape[0], outH = x.Shape[1] - k + 1, outW = x.Shape[2] - k + 1;
    var rows = new List<Tensor>();
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                rows.Add(x[c].Narrow(0, i, outH).Narrow(1, j, outW).Reshape(outH * outW));
    return Tensor.Stack(rows);
