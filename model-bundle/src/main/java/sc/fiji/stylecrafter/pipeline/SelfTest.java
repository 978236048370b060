package sc.fiji.stylecrafter.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import ai.djl.Device;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.model.ModelLoader;
import sc.fiji.stylecrafter.nn.Bfloat16;
import sc.fiji.stylecrafter.nn.Host;
import sc.fiji.stylecrafter.nn.Route;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.engine.EngineSettings;
import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.task.Notices;

/**
 * Which faster kernel routes this machine computes right at the shapes of the model: one generation per mode at the
 * official sizes (a 320x512 video of 16 frames, a 512x512 image; one step) is traced through the real pipeline, so
 * every layer names the routes it would ask for without computing ({@link RouteChecks#trace}), and each route is then
 * checked at each of those shapes against its reference, as a generation would check it. A model folder gives the
 * model's own sizes; without one the official sizes with zero weights ({@link ModelLoader#zeros}) give the
 * same shapes without the 11 GB of weights.
 */
public final class SelfTest {

	/**
	 * The outcome.
	 *
	 * @param model what was traced, in words
	 * @param verdicts every shape's verdict, per precision traced
	 */
	public record Report(String host, String model, Map<Precision, List<RouteChecks.Verdict>> verdicts, double seconds) {

		/** Whether every check could compare (a route that threw counts as rejected, but leaves the check unfinished). */
		public boolean ok() {
			return verdicts.values().stream().flatMap(List::stream).allMatch(v -> v.failure() == null);
		}

		/** The report as lines: the host, a table of the routes, the shapes where a route was rejected, and a verdict. */
		public List<String> lines() {
			List<String> out = new ArrayList<>();
			out.add("host: " + host);
			out.add("model: " + model + "; traced: a 320x512 video of 16 frames and a 512x512 image, one step each");
			out.add(String.format(Locale.ROOT, "%-22s %-9s %6s %5s %6s %6s %13s  %s", "route", "precision", "shapes", "used", "slower", "wrong",
				"largest error", "time against the reference"));
			List<RouteChecks.Verdict> rejected = new ArrayList<>();
			java.util.Set<RouteChecks.Verdict> checked = new java.util.HashSet<>(); // a verdict two precisions share counts once
			for (Map.Entry<Precision, List<RouteChecks.Verdict>> e : verdicts.entrySet()) {
				Map<Route, List<RouteChecks.Verdict>> byRoute = new EnumMap<>(Route.class);
				for (RouteChecks.Verdict v : e.getValue()) byRoute.computeIfAbsent(v.route(), r -> new ArrayList<>()).add(v);
				for (Route r : Route.values()) {
					List<RouteChecks.Verdict> vs = byRoute.get(r);
					if (vs == null) {
						if (!r.on() && e.getKey() == Precision.FLOAT32 && !r.id().startsWith("bfloat16")) {
							out.add(String.format(Locale.ROOT, "%-22s %-9s off: %s", r.id(), "", r.whyOff()));
						}
						continue;
					}
					double worst = 0, route = 0, reference = 0;
					int used = 0, slower = 0;
					for (RouteChecks.Verdict v : vs) {
						worst = Double.isNaN(v.error()) ? Double.NaN : Math.max(worst, v.error());
						route += v.routeSeconds();
						reference += v.referenceSeconds();
						boolean first = checked.add(v);
						if (v.accepted()) used++;
						else if (v.right()) slower++;
						else if (first) rejected.add(v);
					}
					out.add(String.format(Locale.ROOT, "%-22s %-9s %6d %5d %6d %6d %13.3g  %.2fx (%.2f s against %.2f s)", r.id(), e.getKey().label(), vs.size(), used,
						slower, vs.size() - used - slower, worst, route / reference, route, reference));
				}
			}
			if (!rejected.isEmpty()) {
				out.add("wrong (a layer of such a shape computes with the reference):");
				for (RouteChecks.Verdict v : rejected) {
					out.add("  " + v.route().id() + " at " + v.shape() + ": " + (v.failure() != null ? v.failure()
						: String.format(Locale.ROOT, "relative error %.3g (allowed %.0e)", v.error(), v.tolerance())));
				}
			}
			java.nio.file.Path kept = RouteChecks.cacheFile();
			out.add(kept == null ? "verdicts are not kept between processes (-Dstylecrafter.routes=off)"
				: "verdicts kept for later processes on this machine in " + kept);
			out.add(String.format(Locale.ROOT, "%d shapes checked in %.1f s; %s", checked.size(), seconds,
				ok() ? "every route that is used is right at the shapes checked" : "some checks could not compare (see above): those routes are not used"));
			return out;
		}
	}

	private SelfTest() {}

	/** What {@code which} ({@code float32}, {@code bfloat16}, {@code float16} or {@code all}) asks for: "all" is every precision the device has routes in. */
	public static final List<String> CHOICES = List.of("all", Precision.FLOAT32_LABEL, Precision.BFLOAT16_LABEL, Precision.FLOAT16_LABEL);

	/**
	 * The precisions to check on {@code device}: {@code all} is float32 and, on the CPU where this libtorch computes it,
	 * bfloat16, or on a GPU float16; one named precision is that one.
	 *
	 * @throws IllegalArgumentException naming the choice and why it cannot run here
	 */
	static List<Precision> precisions(Device device, String which) {
		if (!which.equals("all")) {
			if (!CHOICES.contains(which)) throw new IllegalArgumentException("precision '" + which + "' is not known; allowed: " + String.join(", ", CHOICES));
			Precision p = Precision.parse(which);
			if (p == Precision.BFLOAT16 && device.isGpu()) throw new IllegalArgumentException("bfloat16 runs on the CPU only");
			if (p == Precision.BFLOAT16 && Bfloat16.problem() != null) throw new IllegalArgumentException("bfloat16 cannot run with this libtorch: " + Bfloat16.problem());
			return List.of(p);
		}
		if (device.isGpu()) return List.of(Precision.FLOAT32, Precision.FLOAT16);
		return Bfloat16.problem() == null ? List.of(Precision.FLOAT32, Precision.BFLOAT16) : List.of(Precision.FLOAT32);
	}

	/**
	 * @param folder a model folder, or {@code null} for the official sizes with zero weights
	 * @param which the precisions to trace ({@link #precisions}: bfloat16 has routes of its own)
	 * @param progress told what is being done, a line at a time
	 * @throws IllegalArgumentException for a device or precision that cannot run here, saying why
	 */
	public static Report run(Path folder, DeviceChoice choice, String which, Consumer<String> progress) throws IOException {
		Device device = choice.resolve();
		return run(folder, device, precisions(device, which), progress);
	}

	static Report run(Path folder, Device device, List<Precision> precisions, Consumer<String> progress) throws IOException {
		long t0 = System.nanoTime();
		EngineSettings.start();
		RouteChecks.forget(); // every route checked afresh on this machine, not taken from earlier processes
		Map<Precision, List<RouteChecks.Verdict>> verdicts = new LinkedHashMap<>();
		for (Precision p : precisions) {
			progress.accept("tracing the " + p.label() + " model" + (folder == null ? " (official sizes, zero weights)" : " in " + folder));
			List<RouteChecks.Demand> demands;
			try (StyleCrafterModel model = folder == null ? ModelLoader.zeros(ModelConfig.FULL_SIZE, device, p)
				: ModelLoader.load(folder, device, p, Notices.NONE))
			{
				demands = trace(model);
			}
			List<RouteChecks.Verdict> list = new ArrayList<>();
			for (int i = 0; i < demands.size(); i++) {
				RouteChecks.Demand d = demands.get(i);
				progress.accept(String.format(Locale.ROOT, "checking %d/%d: %s at %s", i + 1, demands.size(), d.route().id(), d.shape()));
				list.add(RouteChecks.check(d));
			}
			verdicts.put(p, list);
		}
		String model = folder == null ? "official sizes with zero weights (no model folder given)" : "the model in " + folder;
		return new Report(Host.describe(), model, verdicts, (System.nanoTime() - t0) / 1e9);
	}

	/**
	 * The routes one generation per mode would ask for with this model, at the official sizes of each mode (one step,
	 * one style image), in the order asked, each route and shape once; nothing is computed but the pipeline's own
	 * small arrays.
	 */
	public static List<RouteChecks.Demand> trace(StyleCrafterModel model) {
		StyleCrafterPipeline pipeline = new StyleCrafterPipeline(model);
		RgbImage style = new RgbImage(512, 512, new byte[512 * 512 * 3]);
		Map<String, RouteChecks.Demand> all = new LinkedHashMap<>();
		for (Mode mode : new Mode[] { Mode.VIDEO, Mode.IMAGE }) {
			GenerationSettings s = GenerationSettings.builder(mode).steps(1).build();
			for (RouteChecks.Demand d : RouteChecks.trace(() -> pipeline.generate(new StyleCrafterPipeline.Request("self-test", List.of(style), s))))
			{
				all.putIfAbsent(d.key(), d);
			}
		}
		return new ArrayList<>(all.values());
	}
}
