    // Forward: [N, in]·[in, out]. Backward: dX = dY·W ([N, out]·[out, in]), dW = dYᵀ·X ([out, N]·[N, in]), and the
    // bias, added to every row, collects dY summed over the rows.
    var y = x.MatMul(w.Transpose(0, 1)) + b;
    var dx = dy.MatMul(w);
    var dw = dy.Transpose(0, 1).MatMul(x);
    var db = dy.Sum(0);
    return (y, dx, dw, db);
