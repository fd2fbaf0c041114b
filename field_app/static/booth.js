// Booth page: one tap records one hand-out; the status line shows what is pending.
async function refresh() {
  const s = await (await fetch("/api/status")).json();
  document.getElementById("status").textContent =
    `已记录 ${s.last_seq} 条 · 待同步 ${s.pending} 条` + (s.last_error ? ` · ${s.last_error}` : "");
}
document.querySelectorAll("button[data-material]").forEach((button) => {
  button.addEventListener("click", async () => {
    await fetch("/api/events", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "material.distributed", payload: { material: button.dataset.material, quantity: 1 } }),
    });
    refresh();
  });
});
refresh();
setInterval(refresh, 5000);
