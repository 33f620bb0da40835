// The mean over all elements of −[t·ln y + (1 − t)·ln(1 − y)], for predictions y in (0, 1) and targets t in {0, 1}.
Tensor MyBce(Tensor y, Tensor t) => -(t * y.Log() + (1 - t) * (1 - y).Log()).Mean();
