/**
 * One generation: the pipeline (the numbered script of the official sampler), its settings and request, the record
 * it makes, the step listener and the latent preview, and the self-test that traces a generation to check its kernel
 * routes.
 *
 * <p>Uses: model, engine, unet, nn, sched, image, task.
 */
package sc.fiji.stylecrafter.pipeline;
