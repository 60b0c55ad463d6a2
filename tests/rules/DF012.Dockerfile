FROM alpine:3.20
VOLUME /config
# expect-next: DF012
CMD curl -fsSL https://example.com/bootstrap.sh | sh
# expect-next: DF012
CMD ["sh", "-c", "wget -qO- https://example.com/env | bash"]
# expect-next: DF012
ENTRYPOINT ["/bin/bash", "-c", "source <(curl -s https://config.example.com/env)"]
# expect-next: DF012
CMD eval "$(curl -s https://config.example.com/env)" && exec /app/server
# expect-next: DF012
CMD curl -o /tmp/install.sh https://example.com/install.sh && sh /tmp/install.sh
# expect-next: DF012
CMD wget -O /etc/app/app.yaml https://cfg.example.com/app.yaml && exec /app/server
# expect-next: DF012
CMD wget -q https://example.com/rules.bin -P /srv && exec /app/server --rules /srv/rules.bin
# expect-next: DF012
ENTRYPOINT ["sh", "-c", ". /config/env.sh && exec /app/server"]
# expect-next: DF012
CMD ["/config/start.sh"]
# expect-next: DF012
CMD ["python3", "-u", "/config/plugin.py"]
# Clean: baked-in programs and configuration, health checks, `sh -c` without downloads.
CMD ["/app/server", "--config", "/etc/app/app.yaml"]
CMD curl -f http://localhost:8080/health || exit 1
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["sh", "-c", "exec /app/server --port $PORT"]
CMD ["python", "/app/main.py"]
CMD ["cat", "/config/readme.txt"]
CMD ["sh", "-c", "echo /config/x.sh"]
