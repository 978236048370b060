/**
 * The model as files and as networks: the configs, the one checkpoint key map, the weight files recognised by their
 * keys, the model folder and its checks, the official catalogue of files, ModelLoader (folder, checks, checkpoints,
 * key views, networks, unused-weight report) and the loaded StyleCrafterModel.
 *
 * <p>Uses: adapter, clip, unet, vae, engine, nn, io, sched, task, download.
 */
package sc.fiji.stylecrafter.model;
