// The product is 1 only at (1, 1): lifting that one corner makes XOR separable by a plane.
var extra = FeatureSet.X1X2;
