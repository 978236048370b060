package sc.fiji.stylecrafter.engine;

import java.util.ArrayList;
import java.util.List;

import sc.fiji.stylecrafter.nn.Route;

/**
 * How a model computes, chosen once when it loads: the device, the precision, and which faster kernel routes may be
 * tried (each is then checked per shape before it is taken, {@code nn.RouteChecks}); the user's switches are read in
 * one place ({@link Route}). Printed by the load notice, {@code runtime status} and every result's record, so that a
 * result says how it was computed.
 *
 * @param device the device in a user's words ({@code cpu}, {@code gpu 0})
 */
public record EngineOptions(String device, Precision precision) {

	/** The routes a model in this precision may try, in words: {@code fused-attention (checked per shape)}, or why one is off. */
	public List<String> routes() {
		List<String> out = new ArrayList<>();
		for (Route r : Route.values()) {
			boolean bfloat16Route = r == Route.BFLOAT16_LINEAR || r == Route.BFLOAT16_CONVOLUTION;
			if (bfloat16Route && !precision.bfloat16Products()) continue;
			if (r == Route.LINEAR_CONVOLUTION && (precision != Precision.FLOAT32 || !device.equals("cpu"))) continue; // a float32 CPU route
			out.add(r.id() + (r.on() ? " (checked per shape)" : " off: " + r.whyOff()));
		}
		return out;
	}

	/** One line: {@code float32 on cpu; routes: linear-convolution (checked per shape), ...}. */
	public String describe() {
		return precision.label() + " on " + device + "; routes: " + String.join(", ", routes());
	}
}
