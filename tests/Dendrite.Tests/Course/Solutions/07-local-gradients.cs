    // g = s² with s = x·y + z: ∂g/∂s = 2s; ∂s/∂p = ∂s/∂z = 1; ∂p/∂x = y, ∂p/∂y = x.
    double s = x * y + z;
    return (2 * s * y, 2 * s * x, 2 * s);
