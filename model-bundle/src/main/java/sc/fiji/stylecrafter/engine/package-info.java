/**
 * The engine a run computes with: the user's device choice and what it means here, precision, DJL's start-up
 * settings, which libtorch loads (an installed GPU runtime when the driver can run it) and the driver and GPU checks
 * behind that choice.
 *
 * <p>Uses: engine.install, nn.
 */
package sc.fiji.stylecrafter.engine;
