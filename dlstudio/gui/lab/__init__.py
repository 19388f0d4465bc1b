"""The Optimizer lab tab: real optimizers walking 2-D test surfaces."""
