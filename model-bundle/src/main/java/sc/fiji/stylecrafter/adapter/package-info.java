/**
 * StyleCrafter's style adapter: the Q-Former style transformer and the scale predictor of the 16 per-layer scales.
 *
 * <p>Uses: nn.
 */
package sc.fiji.stylecrafter.adapter;
