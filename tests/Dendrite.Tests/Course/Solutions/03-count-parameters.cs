// A layer from a inputs to b units has an a·b weight matrix and b biases.
long CountParameters(int[] sizes)
{
    long total = 0;
    for (int i = 0; i + 1 < sizes.Length; i++) total += (long)sizes[i] * sizes[i + 1] + sizes[i + 1];
    return total;
}
