/**
 * Installing the GPU runtime (PyTorch's libtorch with CUDA): the pinned archives, download or offline install,
 * unpacking into a folder that is only used once complete.
 *
 * <p>Uses: download, task.
 */
package sc.fiji.stylecrafter.engine.install;
