// A cross-entropy measured in nats, expressed in bits: log₂ x = ln x / ln 2.
double Bits(double nats) => nats / Math.Log(2);
