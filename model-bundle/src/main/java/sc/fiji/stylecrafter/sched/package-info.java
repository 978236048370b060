/**
 * The DDIM schedule and step, classifier-free guidance with the style scale, the noise sources (seeded as
 * torch.randn, replayed).
 *
 * <p>Uses: io.
 */
package sc.fiji.stylecrafter.sched;
