// s is σ(z) for some z you are not told. Return σ′(z), using s only.
float SigmoidSlope(float s) => s * (1 - s);
