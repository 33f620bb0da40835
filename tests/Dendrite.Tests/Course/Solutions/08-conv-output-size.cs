    // The kernel fits (input + 2·padding − kernel) / stride + 1 times, rounding down.
    return (input + 2 * padding - kernel) / stride + 1;
