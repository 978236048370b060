/**
 * Weight files read as data: PyTorch zip checkpoints (our own zip reader and an unpickler that knows only what a
 * state dict needs), safetensors and .npy; every length, shape and offset checked before anything is allocated,
 * nothing in a file ever run.
 *
 * <p>Uses: nothing of ours.
 */
package sc.fiji.stylecrafter.io;
