/**
 * Layers over DJL's NDArray (linear, convolution, attention, group and layer norm), the weights view blocks take
 * their parameters from, the memory idiom (Scope), the kernels a layer computes its products with (Kernels: standard
 * or bfloat16), and the faster kernel routes with the checks that let a layer take one (Route, RouteChecks).
 *
 * <p>Uses: io.
 */
package sc.fiji.stylecrafter.nn;
